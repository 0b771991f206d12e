using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Replica;
using MultiRaft.Raft;

namespace MultiRaft.Silo.Cluster;

/// <summary>What a shard's leader on this silo tells the router about its shard.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="ReplicaId">The leading replica.</param>
/// <param name="Term">The leader's term.</param>
/// <param name="CommitIndex">The leader's commit index.</param>
/// <param name="AppliedIndex">The leader's state machine's applied index.</param>
/// <param name="Conf">The leader's applied configuration.</param>
/// <param name="KeyCount">The keys its state machine holds (0 for the meta shard).</param>
/// <param name="SizeBytes">The bytes of those keys and their values.</param>
/// <param name="RangeVer">The range version of the last split its state machine applied (0: none).</param>
internal readonly record struct LeaderFacts(ulong ShardId, ulong ReplicaId, ulong Term, ulong CommitIndex, ulong AppliedIndex, ConfState Conf,
    ulong KeyCount, ulong SizeBytes, ulong RangeVer)
{
    /// <summary>
    /// Reads a replica off its worker, as every report always has: a stale value only makes a
    /// report late (the next pass sees the newer one), and 64-bit reads do not tear.
    /// </summary>
    public static LeaderFacts Of(ReplicaMember g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var (keys, bytes, rangeVer) = g.StateMachine is KvReplicaStateMachine { Kv: var kv }
            ? ((ulong)kv.Count, (ulong)kv.ItemBytes, kv.RangeVersion)
            : (0UL, 0UL, 0UL);
        return new LeaderFacts(g.ShardId, g.ReplicaId, g.Node.Term, g.Node.Committed, g.StateMachine.LastAppliedIndex, g.ConfState,
            keys, bytes, rangeVer);
    }

    /// <summary>The hint that reports these facts from <paramref name="siloId"/>.</summary>
    public LeaderHint ToHint(string siloId) => new()
    {
        ShardId = ShardId, ReplicaId = ReplicaId, SiloId = siloId, Term = Term, CommitIndex = CommitIndex, AppliedIndex = AppliedIndex,
        Voters = { Conf.Voters }, Learners = { Conf.Learners }, KeyCount = KeyCount, SizeBytes = SizeBytes, RangeVer = RangeVer,
    };
}
