using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Grains.Router;

/// <summary>Replica placement: adding replicas and changing their desired roles, fenced by epochs.</summary>
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

        ReplicaDescriptor? replica = null;
        foreach (var r in shard.Replicas)
        {
            if (r.ReplicaId == command.ReplicaId)
            {
                replica = r;
                break;
            }
        }

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
}
