using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;
using MultiRaft.Raft;

namespace MultiRaft.Grains.Tests.Replica;

/// <summary>
/// Replica grains of one shard on in-memory storage and a hand-driven network: each Ready is
/// persisted, its messages delivered (unless cut), its committed entries applied, as the silo
/// engine does, but deterministic and on one thread.
/// </summary>
internal sealed class ReplicaGroup
{
    private readonly Dictionary<ulong, MemoryStorage> _storage = [];
    private readonly List<Message> _inFlight = [];

    public ReplicaGroup(int members, int seed = 1)
    {
        var ids = Enumerable.Range(1, members).Select(i => (ulong)i).ToArray();
        foreach (var id in ids)
        {
            var storage = MemoryStorage.Bootstrapped(new ConfState(ids));
            _storage[id] = storage;
            var node = new RawNode(new RaftConfig { Id = id, Storage = storage, Applied = Bootstrap.Index, Random = new Random(seed + (int)id) });
            Grains[id] = new ReplicaMember(1, id, node, new KvReplicaStateMachine(KvSessionOptions.Default, KvLimits.Default))
            {
                ConfState = new ConfState(ids),
            };
        }
    }

    public Dictionary<ulong, ReplicaMember> Grains { get; } = [];

    public MemoryStorage StorageOf(ulong id) => _storage[id];

    /// <summary>Members whose messages (both ways) are dropped.</summary>
    public HashSet<ulong> Isolated { get; } = [];

    public ReplicaMember Leader => Grains.Values.Single(g => g.IsLeader);

    public ReplicaMember Elect(ulong id)
    {
        Grains[id].Node.Campaign();
        Settle();
        Assert.True(Grains[id].IsLeader);
        return Grains[id];
    }

    /// <summary>Runs Ready loops and deliveries until nothing moves.</summary>
    public void Settle(int maxRounds = 100)
    {
        for (var round = 0; round < maxRounds; round++)
        {
            var moved = false;
            foreach (var (id, g) in Grains)
            {
                while (g.Node.HasReady)
                {
                    moved = true;
                    var rd = g.Node.GetReady();
                    var storage = _storage[id];
                    if (rd.Snapshot is { } s)
                    {
                        storage.ApplySnapshot(s);
                    }

                    if (rd.HardState is { } hs)
                    {
                        storage.SetHardState(hs);
                    }

                    storage.Append(rd.Entries);
                    _inFlight.AddRange(rd.Messages.ToArray());
                    _inFlight.AddRange(rd.PersistedMessages.ToArray());
                    Assert.True(g.ApplyCommitted(rd.CommittedEntries));
                    g.OnReadStates(rd.ReadStates);
                    g.Node.Advance();
                    g.AfterReady();
                }
            }

            var batch = _inFlight.ToArray();
            _inFlight.Clear();
            foreach (var m in batch)
            {
                if (!Isolated.Contains(m.From) && !Isolated.Contains(m.To))
                {
                    moved = true;
                    Grains[m.To].Node.Step(m);
                }
            }

            if (!moved)
            {
                return;
            }
        }
    }

    /// <summary>Ticks every member enough for an election timeout to pass.</summary>
    public void ElectionTimeout()
    {
        for (var i = 0; i < 25; i++)
        {
            foreach (var g in Grains.Values)
            {
                g.Node.Tick();
            }

            Settle();
        }
    }
}
