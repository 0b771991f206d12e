using MultiRaft.Raft;
using MultiRaft.Storage.FileWal;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// One log shared by two thousand replicas, with compactions, snapshot installs, deletions and
/// idle replicas interleaved, small segments rolling and being deleted underneath: recovery,
/// midway and at the end, equals the reference provider fed the same operations.
/// </summary>
public sealed class ManyReplicasRecoveryTests
{
    private const int Replicas = 2000;
    private const int Rounds = 40;
    private const long SegmentSize = 64 * 1024;

    [Fact]
    public async Task ALogSharedByThousandsOfReplicasRecoversLikeTheReference()
    {
        var random = new Random(2024);
        var device = new FaultyWalDevice();
        var reference = new InMemoryStorageProvider();
        var live = Enumerable.Range(1, Replicas).Select(i => new ReplicaId(7, (ulong)i)).ToList();
        var nextId = (ulong)Replicas + 1;
        var p = await OpenAsync(device, SegmentSize, spares: 1);

        for (var round = 0; round < Rounds; round++)
        {
            long last = 0;
            for (var k = 0; k < live.Count; k++)
            {
                var id = live[k];
                var idle = id.Replica % 10 == 0 && round > 0;
                if (!idle && random.Next(5) != 0)
                {
                    var st = reference.State.GetValueOrDefault(id);
                    var next = (st?.LastIndex ?? 0) + 1;
                    var term = 1 + ((ulong)round / 8);
                    var data = new byte[random.Next(64)];
                    random.NextBytes(data);
                    Entry[] entries = [new(term, next, data)];
                    var hs = new HardState(term, id.Replica, next - 1);
                    last = p.Append(id, hs, entries);
                    reference.Append(id, hs, entries);
                }
            }

            await p.WaitDurableAsync(last, Ct);

            for (var k = 0; k < live.Count; k++)
            {
                var id = live[k];
                if (!reference.State.TryGetValue(id, out var st) || st.LastIndex == 0)
                {
                    continue;
                }

                var snapIndex = st.GetSnapshot()?.Index ?? 0;
                if ((round + k) % 10 == 0 && st.LastIndex > snapIndex)
                {
                    var index = st.LastIndex - (ulong)random.Next((int)Math.Min(3, st.LastIndex - snapIndex));
                    st.TryGetTerm(index, out var term);
                    var snap = Snap(index, term, size: random.Next(40));
                    await Both(reference, p, (q, ct) => q.SaveSnapshotAsync(id, snap, ct));
                    await Both(reference, p, (q, ct) => q.CompactAsync(id, index, ct));
                }
                else if (random.Next(100) == 0)
                {
                    var index = st.LastIndex + 1 + (ulong)random.Next(4);
                    var snap = Snap(index, 1 + ((ulong)round / 8), size: random.Next(40));
                    await Both(reference, p, (q, ct) => q.InstallSnapshotAsync(id, snap, ct));
                }
                else if (random.Next(200) == 0)
                {
                    await Both(reference, p, (q, ct) => q.DeleteReplicaAsync(id, ct));
                    live[k] = new ReplicaId(7, nextId++);
                }
            }

            if (round == Rounds / 2)
            {
                await p.DisposeAsync();
                p = Provider(device, SegmentSize, spares: 1);
                AssertSameState(await reference.RecoverAsync(Ct), (await p.RecoverAsync(Ct)).ToDictionary(r => r.Replica));
            }
        }

        await p.CollectSegmentsAsync(Ct);
        var segments = device.List().Where(n => WalSegment.TryParse(n, out _)).ToArray();
        WalSegment.TryParse(segments[^1], out var headSeq);
        await p.DisposeAsync();

        Assert.True(headSeq > 40, $"only {headSeq} segments were written");
        Assert.True(segments.Length * 2 < (int)headSeq, $"{segments.Length} of {headSeq} segments are still there");
        var expected = await reference.RecoverAsync(Ct);
        Assert.True(expected.Count > Replicas * 9 / 10, $"{expected.Count} replicas");
        AssertSameState(expected, await RecoverAsync(device.PowerCut(), SegmentSize));
        Assert.Equal(expected.Count(r => r.Snapshot is not null), device.List().Count(SnapshotFiles.IsSnapshot));
    }

    private static async Task Both(IStorageProvider reference, IStorageProvider p, Func<IStorageProvider, CancellationToken, ValueTask> op)
    {
        await op(reference, Ct);
        await op(p, Ct);
    }
}
