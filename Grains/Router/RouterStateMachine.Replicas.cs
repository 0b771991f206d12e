using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Grains.Router;

/// <summary>Replica placement: adding and removing replicas and changing their desired roles, fenced by epochs.</summary>
public sealed partial class RouterStateMachine
{
    private RouterResult ApplyAddReplica(AddReplica command)
    {
        if (!_shardsById.TryGetValue(command.ShardId, out var shard))
        {
            return RouterResult.Refused(RouterRefusals.UnknownShard);
        }

        if (!EpochEquals(command.ExpectedEpoch, shard.Epoch))
        {
            return RouterResult.Refused(RouterRefusals.EpochMismatch);
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
        if (!_shardsById.TryGetValue(command.ShardId, out var shard))
        {
            return RouterResult.Refused(RouterRefusals.UnknownShard);
        }

        if (!EpochEquals(command.ExpectedEpoch, shard.Epoch))
        {
            return RouterResult.Refused(RouterRefusals.EpochMismatch);
        }

        if (command.Role == ReplicaRole.Unspecified)
        {
            return RouterResult.Refused(RouterRefusals.InvalidRole);
        }

        var replica = FindReplica(shard, command.ReplicaId);
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
        if (!_shardsById.TryGetValue(command.ShardId, out var shard))
        {
            return RouterResult.Refused(RouterRefusals.UnknownShard);
        }

        if (!EpochEquals(command.ExpectedEpoch, shard.Epoch))
        {
            return RouterResult.Refused(RouterRefusals.EpochMismatch);
        }

        var removed = FindReplica(shard, command.ReplicaId);
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

            promoted = FindReplica(shard, command.PromoteReplicaId);
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

        BumpConfVer(shard);
        return new RouterResult(RouterOutcome.Applied, null, removed.ReplicaId);
    }

    private static ReplicaDescriptor? FindReplica(ShardDescriptor shard, ulong replicaId)
    {
        foreach (var r in shard.Replicas)
        {
            if (r.ReplicaId == replicaId)
            {
                return r;
            }
        }

        return null;
    }
}
