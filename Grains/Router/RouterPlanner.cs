using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Grains.Router;

/// <summary>
/// The router leader's placement planner: a pure function from the state, the leader's clock and
/// the silos Orleans' membership has declared dead to the commands worth proposing now. It proposes at most one command per shard per call,
/// because each command is fenced by the shard's epoch, which the previous one changes; the next
/// call sees the applied result. Commands it proposes may still be refused (a heartbeat can beat
/// a MarkSiloDead): planning again is always safe.
/// </summary>
public static class RouterPlanner
{
    /// <summary>The commands to propose, in order: dead silos first, then the meta shard, then data shards by hash range.</summary>
    /// <param name="state">The router's state.</param>
    /// <param name="nowMs">The leader's clock.</param>
    /// <param name="options">The knobs.</param>
    /// <param name="declaredDead">
    /// Silo names Orleans' membership lists as dead (and not active again): liveness is Orleans',
    /// the router only records it. Null or empty: no silo is dead.
    /// </param>
    public static IReadOnlyList<RouterCommand> Plan(RouterState state, long nowMs, RouterPlannerOptions options,
        IReadOnlySet<string>? declaredDead = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReplicationFactor, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ReplicationFactor, RouterStateMachine.MaxDataReplicas, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMetaVoters, 1, nameof(options));

        var commands = new List<RouterCommand>();
        var statusById = new Dictionary<string, SiloStatus>(StringComparer.Ordinal);
        // Silos that may take new replicas and votes: ACTIVE and not about to be marked dead.
        // state.Silos is sorted by id, so this list is too, which settles ties.
        var placeable = new List<string>();
        foreach (var silo in state.Silos)
        {
            statusById[silo.SiloId] = silo.Status;
            if (silo.Status != SiloStatus.Dead && declaredDead is not null && declaredDead.Contains(silo.SiloId))
            {
                commands.Add(RouterCommands.MarkDead(silo.SiloId, silo.LastHeartbeatMs, nowMs));
                continue;
            }

            if (silo.Status == SiloStatus.Active)
            {
                placeable.Add(silo.SiloId);
            }
        }

        var loads = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var shard in state.Shards)
        {
            if (shard.ShardId == RouterStateMachine.MetaShardId)
            {
                continue;
            }

            foreach (var r in shard.Replicas)
            {
                loads[r.SiloId] = loads.GetValueOrDefault(r.SiloId) + 1;
            }
        }

        foreach (var shard in state.Shards)
        {
            var command = shard.ShardId == RouterStateMachine.MetaShardId
                ? PlanMeta(shard, placeable, statusById, nowMs, options)
                : PlanData(shard, placeable, loads, nowMs, options);
            if (command is not null)
            {
                commands.Add(command);
            }
        }

        return commands;
    }

    private static RouterCommand? PlanMeta(
        ShardDescriptor meta, List<string> placeable, Dictionary<string, SiloStatus> statusById, long nowMs, RouterPlannerOptions options)
    {
        // Voters whose silo the state still calls ACTIVE count, even one about to be marked dead:
        // promoting before the death is applied could leave one voter too many if it is refused.
        var voters = 0;
        foreach (var r in meta.Replicas)
        {
            if (r.Role == ReplicaRole.Voter && statusById.GetValueOrDefault(r.SiloId) == SiloStatus.Active)
            {
                voters++;
            }
        }

        foreach (var siloId in placeable)
        {
            if (!HasReplicaOn(meta, siloId))
            {
                var role = voters < options.MaxMetaVoters ? ReplicaRole.Voter : ReplicaRole.Learner;
                return RouterCommands.AddReplica(meta.ShardId, siloId, meta.Epoch ?? new ShardEpoch(), role, nowMs);
            }
        }

        if (voters >= options.MaxMetaVoters)
        {
            return null;
        }

        // The oldest learner (lowest replica id) on a placeable silo becomes a voter.
        foreach (var r in meta.Replicas)
        {
            if (r.Role == ReplicaRole.Learner && placeable.Contains(r.SiloId, StringComparer.Ordinal))
            {
                return RouterCommands.SetRole(meta.ShardId, r.ReplicaId, ReplicaRole.Voter, meta.Epoch ?? new ShardEpoch(), nowMs);
            }
        }

        return null;
    }

    private static RouterCommand? PlanData(
        ShardDescriptor shard, List<string> placeable, Dictionary<string, int> loads, long nowMs, RouterPlannerOptions options)
    {
        if (shard.Replicas.Count >= options.ReplicationFactor)
        {
            return null;
        }

        string? best = null;
        var bestLoad = int.MaxValue;
        foreach (var siloId in placeable)
        {
            var load = loads.GetValueOrDefault(siloId);
            // Strictly less: on a tie the earlier (smaller) silo id stays.
            if (load < bestLoad && !HasReplicaOn(shard, siloId))
            {
                best = siloId;
                bestLoad = load;
            }
        }

        if (best is null)
        {
            return null;
        }

        // Counted now so that the other shards planned in this call spread over the silos.
        loads[best] = bestLoad + 1;
        return RouterCommands.AddReplica(shard.ShardId, best, shard.Epoch ?? new ShardEpoch(), ReplicaRole.Voter, nowMs);
    }

    private static bool HasReplicaOn(ShardDescriptor shard, string siloId)
    {
        foreach (var r in shard.Replicas)
        {
            if (string.Equals(r.SiloId, siloId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
