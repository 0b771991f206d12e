using MultiRaft.Raft;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// A seeded stream of valid storage operations over a few replicas at a time: appends (some
/// overwriting a short tail, some not waited for), snapshots saved and compacted, snapshots
/// installed, replicas deleted and new ones created. It keeps just enough of each replica's
/// shape to only produce operations the contract allows.
/// </summary>
internal static class RandomWorkload
{
    public static ReferenceRun Build(int seed, int replicas, int operations, int maxPayload = 400)
    {
        var random = new Random(seed);
        var run = new ReferenceRun();
        var live = Enumerable.Range(1, replicas).Select(i => new Shape(new ReplicaId((ulong)seed, (ulong)i))).ToList();
        var nextId = (ulong)replicas + 1;
        for (var op = 0; op < operations; op++)
        {
            var s = live[random.Next(live.Count)];
            var roll = random.Next(100);
            if (roll < 62 || s.Last == 0)
            {
                var first = Math.Max(s.Snap + 1, s.Last > 2 ? s.Last - (ulong)random.Next(3) : 1);
                first = Math.Min(first, s.Last + 1);
                if (random.Next(8) == 0)
                {
                    s.Term++;
                }

                var entries = Enumerable.Range(0, 1 + random.Next(4)).Select(i =>
                {
                    var data = new byte[random.Next(maxPayload)];
                    random.NextBytes(data);
                    return new Entry(s.Term, first + (ulong)i, data);
                }).ToArray();
                foreach (var e in entries)
                {
                    s.Terms[e.Index] = e.Term;
                }

                s.Last = entries[^1].Index;
                HardState? hs = random.Next(3) == 0 ? null : new HardState(s.Term, s.Id.Replica, Math.Min(s.Last, s.Snap + 1));
                run.Append(s.Id, hs, entries, wait: random.Next(4) != 0);
            }
            else if (roll < 75 && s.Last > s.Snap)
            {
                var index = s.Snap + 1 + (ulong)random.Next((int)(s.Last - s.Snap));
                s.Snap = index;
                run.Save(s.Id, Snap(index, s.Terms[index], size: random.Next(200)));
            }
            else if (roll < 88 && s.Snap > s.Base)
            {
                s.Base = s.Snap;
                run.Compact(s.Id, s.Base);
            }
            else if (roll < 96)
            {
                s.Term++;
                var index = Math.Max(s.Last, s.Snap) + 1 + (ulong)random.Next(5);
                s.Snap = s.Base = s.Last = index;
                s.Terms[index] = s.Term;
                run.Install(s.Id, Snap(index, s.Term, size: random.Next(300)));
            }
            else
            {
                run.Delete(s.Id);
                live.Remove(s);
                live.Add(new Shape(new ReplicaId((ulong)seed, nextId++)));
            }
        }

        return run;
    }

    private sealed class Shape(ReplicaId id)
    {
        public ReplicaId Id { get; } = id;

        public ulong Term { get; set; } = 1;

        public ulong Last { get; set; }

        public ulong Snap { get; set; }

        public ulong Base { get; set; }

        public Dictionary<ulong, ulong> Terms { get; } = [];
    }
}
