using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Router;

/// <summary>Shard splits: the map's half of a split (the shard's own log carries out the other half).</summary>
public sealed partial class RouterStateMachine
{
    // Applied: the new shard's id is the result's ReplicaId.
    private RouterResult ApplySplitShard(SplitShard command)
    {
        if (ShardAt(command.ShardId, command.ExpectedEpoch, out var shard) is { } refused)
        {
            return refused;
        }

        if (shard.ShardId == MetaShardId)
        {
            return RouterResult.Refused(RouterRefusals.MetaShard);
        }

        if (command.SplitHash <= shard.HashStart || command.SplitHash >= shard.HashEnd)
        {
            return RouterResult.Refused(RouterRefusals.SplitOutsideRange);
        }

        // Every replica splits with the shard: a replica still joining (or one leaving) would give
        // the new shard a member whose state the split entry does not create.
        if (shard.Replicas.Any(r => r.Role != ReplicaRole.Voter))
        {
            return RouterResult.Refused(RouterRefusals.NotAllVoters);
        }

        var hint = FindLeader(shard.ShardId);
        if (!ShardMotion.IsSettled(shard, hint))
        {
            return RouterResult.Refused(RouterRefusals.NotSettled);
        }

        shard.Epoch.RangeVer++;
        var child = new ShardDescriptor
        {
            ShardId = _state.NextShardId++,
            HashStart = command.SplitHash,
            HashEnd = shard.HashEnd,
            // Greater than any epoch a request could have been routed to the parent with for these
            // keys, so that the two shards' epochs never compare equal by accident.
            Epoch = new ShardEpoch { ConfVer = shard.Epoch.ConfVer, RangeVer = shard.Epoch.RangeVer },
            SplitFrom = shard.ShardId,
        };
        var childHint = new LeaderHint { ShardId = child.ShardId };
        foreach (var r in shard.Replicas)
        {
            var c = new ReplicaDescriptor { ReplicaId = AllocateReplicaId(), SiloId = r.SiloId, Role = r.Role };
            child.Replicas.Add(c);
            if (shard.PreferredLeader == r.ReplicaId)
            {
                child.PreferredLeader = c.ReplicaId;
                child.LeaderPinned = shard.LeaderPinned;
            }

            // The replica beside the parent's leader campaigns first: clients route there. The hint
            // reports no configuration: only the new shard's leader's own report makes the shard
            // settled (and splittable or movable), once the split entry created it.
            if (hint!.ReplicaId == r.ReplicaId)
            {
                childHint.ReplicaId = c.ReplicaId;
                childHint.SiloId = c.SiloId;
            }
        }

        shard.HashEnd = command.SplitHash;
        var at = _state.Shards.IndexOf(shard) + 1;
        _state.Shards.Insert(at, child);
        _shardsById.Add(child.ShardId, child);
        InsertLeaderHint(childHint);
        _dataShards = [.. _state.Shards.Where(s => s.ShardId != MetaShardId)];
        _dataShardStarts = [.. _dataShards.Select(s => s.HashStart)];
        return new RouterResult(RouterOutcome.Applied, null, child.ShardId);
    }

    // A hint of term 0: the new shard's leader's first report (any term) replaces it.
    private void InsertLeaderHint(LeaderHint hint)
    {
        _state.Leaders.Insert(LeaderPosition(hint.ShardId), hint);
        _leadersByShard.Add(hint.ShardId, hint);
    }
}
