using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Grains.Router;

/// <summary>The state a brand-new cluster starts from.</summary>
public sealed partial class RouterStateMachine
{
    /// <summary>
    /// The first silo ACTIVE (joined and last heard at <paramref name="nowMs"/>); shard 0 with one
    /// VOTER replica (id 1) on it; data shards 1..n over <see cref="KeyHash.EvenSplitStarts"/>,
    /// each with one VOTER replica (ids 2..n+1) on the first silo, epoch {1, 1};
    /// next_replica_id = n+2, next_shard_id = n+1. The planner then adds the other replicas as
    /// silos join.
    /// </summary>
    public static RouterState Bootstrap(string clusterId, SiloInfo firstSilo, int initialShards, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(clusterId);
        ArgumentNullException.ThrowIfNull(firstSilo);
        ArgumentException.ThrowIfNullOrEmpty(firstSilo.SiloId, nameof(firstSilo));
        ArgumentOutOfRangeException.ThrowIfLessThan(initialShards, 1);

        var silo = firstSilo.Clone();
        silo.Status = SiloStatus.Active;
        silo.JoinedMs = nowMs;
        silo.LastHeartbeatMs = nowMs;

        var state = new RouterState { ClusterId = clusterId, NowMs = nowMs };
        state.Silos.Add(silo);
        // The meta shard owns no keys: its range is empty.
        state.Shards.Add(NewShard(MetaShardId, 0, 0, 1, silo.SiloId));

        var starts = KeyHash.EvenSplitStarts(initialShards);
        for (var i = 0; i < initialShards; i++)
        {
            var end = i + 1 < initialShards ? starts[i + 1] : KeyHash.SpaceEnd;
            state.Shards.Add(NewShard((ulong)i + 1, starts[i], end, (ulong)i + 2, silo.SiloId));
        }

        state.NextReplicaId = (ulong)initialShards + 2;
        state.NextShardId = (ulong)initialShards + 1;
        return state;
    }

    private static ShardDescriptor NewShard(ulong shardId, ulong start, ulong end, ulong replicaId, string siloId)
    {
        var shard = new ShardDescriptor
        {
            ShardId = shardId,
            HashStart = start,
            HashEnd = end,
            Epoch = new ShardEpoch { ConfVer = 1, RangeVer = 1 },
        };
        shard.Replicas.Add(new ReplicaDescriptor { ReplicaId = replicaId, SiloId = siloId, Role = ReplicaRole.Voter });
        return shard;
    }
}
