using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Grains.Router;

/// <summary>Replica placement: adding and removing replicas and changing their desired roles, fenced by epochs.</summary>
public sealed partial class RouterStateMachine
{
    private RouterResult ApplyAddReplica(AddReplica command)
    {
        if (ShardAt(command.ShardId, command.ExpectedEpoch, out var shard) is { } refused)
        {
            return refused;
        }

        if (!_silosById.TryGetValue(command.SiloId, out var silo))
        {
            return RouterResult.Refused(RouterRefusals.UnknownSilo);
        }

        if (silo.Status != SiloStatus.Active)
        {
            return RouterResult.Refused(RouterRefusals.SiloNotActive);
        }

        if (command.Role == ReplicaRole.Unspecified)
        {
            return RouterResult.Refused(RouterRefusals.InvalidRole);
        }

        if (ReplicaOn(shard, silo.SiloId) is not null)
        {
            return RouterResult.Refused(RouterRefusals.SiloHasReplica);
        }

        if (shard.ShardId != MetaShardId && shard.Replicas.Count >= MaxDataReplicas)
        {
            return RouterResult.Refused(RouterRefusals.ShardFull);
        }

        var replica = new ReplicaDescriptor
        {
            ReplicaId = AllocateReplicaId(),
            SiloId = silo.SiloId,
            Role = command.Role,
        };
        // Ids only grow, so appending keeps replicas ordered by id.
        shard.Replicas.Add(replica);
        BumpConfVer(shard);
        return new RouterResult(RouterOutcome.Applied, null, replica.ReplicaId);
    }

    private RouterResult ApplySetRole(SetReplicaRole command)
    {
        if (ShardAt(command.ShardId, command.ExpectedEpoch, out var shard) is { } refused)
        {
            return refused;
        }

        if (command.Role == ReplicaRole.Unspecified)
        {
            return RouterResult.Refused(RouterRefusals.InvalidRole);
        }

        var replica = ShardReplicas.Find(shard, command.ReplicaId);
        if (replica is null)
        {
            return RouterResult.Refused(RouterRefusals.UnknownReplica);
        }

        // A voter on a silo that cannot vote would only make quorums harder to reach.
        if (command.Role == ReplicaRole.Voter
            && !(_silosById.TryGetValue(replica.SiloId, out var silo) && silo.Status == SiloStatus.Active))
        {
            return RouterResult.Refused(RouterRefusals.SiloNotActive);
        }

        if (replica.Role != command.Role)
        {
            replica.Role = command.Role;
            BumpConfVer(shard);
        }

        return new RouterResult(RouterOutcome.Applied, null, replica.ReplicaId);
    }

    private RouterResult ApplyRemoveReplica(RemoveReplica command)
    {
        if (ShardAt(command.ShardId, command.ExpectedEpoch, out var shard) is { } refused)
        {
            return refused;
        }

        var removed = ShardReplicas.Find(shard, command.ReplicaId);
        if (removed is null)
        {
            return RouterResult.Refused(RouterRefusals.UnknownReplica);
        }

        ReplicaDescriptor? promoted = null;
        if (command.PromoteReplicaId != 0)
        {
            if (command.PromoteReplicaId == command.ReplicaId)
            {
                return RouterResult.Refused(RouterRefusals.PromoteRemoved);
            }

            promoted = ShardReplicas.Find(shard, command.PromoteReplicaId);
            if (promoted is null)
            {
                return RouterResult.Refused(RouterRefusals.UnknownReplica);
            }

            if (!(_silosById.TryGetValue(promoted.SiloId, out var silo) && silo.Status == SiloStatus.Active))
            {
                return RouterResult.Refused(RouterRefusals.SiloNotActive);
            }
        }

        var votersAfter = 0;
        foreach (var r in shard.Replicas)
        {
            if (r != removed && (r.Role == ReplicaRole.Voter || r == promoted))
            {
                votersAfter++;
            }
        }

        if (votersAfter == 0)
        {
            return RouterResult.Refused(RouterRefusals.LastVoter);
        }

        shard.Replicas.Remove(removed);
        if (promoted is not null)
        {
            promoted.Role = ReplicaRole.Voter;
        }

        ForgetPreference(shard, removed.ReplicaId);
        BumpConfVer(shard);
        return new RouterResult(RouterOutcome.Applied, null, removed.ReplicaId);
    }

    private RouterResult ApplyMoveReplica(MoveReplica command)
    {
        if (ShardAt(command.ShardId, command.ExpectedEpoch, out var shard) is { } refused)
        {
            return refused;
        }

        // The meta shard's members follow the silos' registrations, not the balancer.
        if (shard.ShardId == MetaShardId)
        {
            return RouterResult.Refused(RouterRefusals.MetaShard);
        }

        var moved = ShardReplicas.Find(shard, command.ReplicaId);
        if (moved is null)
        {
            return RouterResult.Refused(RouterRefusals.UnknownReplica);
        }

        if (!_silosById.TryGetValue(command.ToSilo, out var target))
        {
            return RouterResult.Refused(RouterRefusals.UnknownSilo);
        }

        if (target.Status != SiloStatus.Active)
        {
            return RouterResult.Refused(RouterRefusals.SiloNotActive);
        }

        if (ReplicaOn(shard, target.SiloId) is not null)
        {
            return RouterResult.Refused(RouterRefusals.SiloHasReplica);
        }

        var replica = new ReplicaDescriptor { ReplicaId = AllocateReplicaId(), SiloId = target.SiloId, Role = moved.Role };
        shard.Replicas.Remove(moved);
        // The new id is the largest, so appending keeps replicas ordered by id.
        shard.Replicas.Add(replica);
        ForgetPreference(shard, moved.ReplicaId);
        BumpConfVer(shard);
        return new RouterResult(RouterOutcome.Applied, null, replica.ReplicaId);
    }

    private RouterResult ApplySetPreferredLeader(SetPreferredLeader command)
    {
        if (!_shardsById.TryGetValue(command.ShardId, out var shard))
        {
            return RouterResult.Refused(RouterRefusals.UnknownShard);
        }

        if (command.UnlessPinned && shard.LeaderPinned)
        {
            return RouterResult.Refused(RouterRefusals.LeaderPinned);
        }

        if (command.ReplicaId != 0)
        {
            var replica = ShardReplicas.Find(shard, command.ReplicaId);
            if (replica is null)
            {
                return RouterResult.Refused(RouterRefusals.UnknownReplica);
            }

            if (replica.Role != ReplicaRole.Voter)
            {
                return RouterResult.Refused(RouterRefusals.NotAVoter);
            }

            if (!(_silosById.TryGetValue(replica.SiloId, out var silo) && silo.Status == SiloStatus.Active))
            {
                return RouterResult.Refused(RouterRefusals.SiloNotActive);
            }
        }

        shard.PreferredLeader = command.ReplicaId;
        shard.LeaderPinned = command.ReplicaId != 0 && command.Pinned;
        return new RouterResult(RouterOutcome.Applied, null, command.ReplicaId);
    }

    // A preference for a replica that left the shard means nothing any more.
    private static void ForgetPreference(ShardDescriptor shard, ulong replicaId)
    {
        if (shard.PreferredLeader == replicaId)
        {
            shard.PreferredLeader = 0;
            shard.LeaderPinned = false;
        }
    }

    // The shard a command names, if it exists and is still at the epoch the command expects; else the refusal.
    private RouterResult? ShardAt(ulong shardId, ShardEpoch? expectedEpoch, out ShardDescriptor shard)
    {
        if (!_shardsById.TryGetValue(shardId, out shard!))
        {
            return RouterResult.Refused(RouterRefusals.UnknownShard);
        }

        return EpochEquals(expectedEpoch, shard.Epoch) ? null : RouterResult.Refused(RouterRefusals.EpochMismatch);
    }
}
