using MultiRaft.Grains.Interfaces;
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
    /// <param name="watchingSinceMs">
    /// Since when the caller has been watching the silos' reports (when it became the router's
    /// leader): a silo counts as away only after <see cref="RouterPlannerOptions.DownTimeMs"/> of
    /// silence the caller saw, so a new leader, or a cluster starting again, replaces nothing for
    /// silos that simply have not reported yet.
    /// </param>
    public static IReadOnlyList<RouterCommand> Plan(RouterState state, long nowMs, RouterPlannerOptions options,
        IReadOnlySet<string>? declaredDead = null, long watchingSinceMs = 0)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReplicationFactor, 1, nameof(options));
        // One place is kept free for a replica moving in, which a replacement needs.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ReplicationFactor, RouterStateMachine.MaxDataReplicas - 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMetaVoters, 1, nameof(options));

        ArgumentOutOfRangeException.ThrowIfLessThan(options.DownTimeMs, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMovesPerSilo, 1, nameof(options));

        var commands = new List<RouterCommand>();
        var statusById = new Dictionary<string, SiloStatus>(StringComparer.Ordinal);
        // Silos whose data replicas are replaced: dead, draining, removed, or away past the down time.
        var gone = new HashSet<string>(StringComparer.Ordinal);
        // Silos that may take new replicas and votes: ACTIVE, reporting, and not about to be
        // marked dead. state.Silos is sorted by id, so this list is too, which settles ties.
        var placeable = new List<string>();
        foreach (var silo in state.Silos)
        {
            statusById[silo.SiloId] = silo.Status;
            if (silo.Status is not (SiloStatus.Dead or SiloStatus.Removed) && declaredDead is not null && declaredDead.Contains(silo.SiloId))
            {
                commands.Add(RouterCommands.MarkDead(silo.SiloId, silo.LastHeartbeatMs, nowMs));
                continue;
            }

            if (silo.Status is SiloStatus.Dead or SiloStatus.Draining or SiloStatus.Removed
                || IsAway(silo, nowMs, watchingSinceMs, options.DownTimeMs))
            {
                gone.Add(silo.SiloId);
            }
            else if (silo.Status == SiloStatus.Active)
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

        // Repairs come first: balancing waits until every data shard has its replicas on placeable silos.
        var repairing = false;
        var touched = new HashSet<ulong>();
        foreach (var shard in state.Shards)
        {
            var isMeta = shard.ShardId == RouterStateMachine.MetaShardId;
            repairing |= !isMeta && (shard.Replicas.Count != options.ReplicationFactor
                                     || shard.Replicas.Any(r => !placeable.Contains(r.SiloId, StringComparer.Ordinal)));
            var command = isMeta
                ? PlanMeta(shard, placeable, statusById, declaredDead, nowMs, options)
                : PlanData(shard, placeable, gone, loads, nowMs, options);
            if (command is not null)
            {
                commands.Add(command);
                touched.Add(shard.ShardId);
            }
        }

        var hints = new Dictionary<ulong, LeaderHint>();
        foreach (var hint in state.Leaders)
        {
            hints[hint.ShardId] = hint;
        }

        PlanSplits(state, hints, options, nowMs, touched, commands);
        if (!repairing)
        {
            // Without a repair no replica was placed above, so loads still counts the map's.
            RouterBalancer.PlanMoves(state, placeable, loads, hints, options, nowMs, touched, commands);
        }

        if (options.BalanceLeaders)
        {
            RouterBalancer.PlanLeaders(state, placeable, loads, hints, options, mayMoveReplicas: !repairing, nowMs, touched, commands);
        }

        return commands;
    }

    /// <summary>
    /// Whether <paramref name="silo"/> has been silent longer than <paramref name="downTimeMs"/>,
    /// counted from its last heartbeat or from when the caller started watching, whichever is later.
    /// </summary>
    /// <param name="silo">The silo.</param>
    /// <param name="nowMs">The caller's clock.</param>
    /// <param name="watchingSinceMs">Since when the caller has been watching the silos' reports.</param>
    /// <param name="downTimeMs">The silence after which a silo's replicas are replaced.</param>
    public static bool IsAway(SiloInfo silo, long nowMs, long watchingSinceMs, long downTimeMs)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return nowMs - Math.Max(silo.LastHeartbeatMs, watchingSinceMs) > downTimeMs;
    }

    private static RouterCommand? PlanMeta(ShardDescriptor meta, List<string> placeable, Dictionary<string, SiloStatus> statusById,
        IReadOnlySet<string>? declaredDead, long nowMs, RouterPlannerOptions options)
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

        // A removed silo's meta replica leaves once the silo has stopped (Orleans lists it dead):
        // until then it must keep receiving the router's log, or it would never learn it was
        // removed. A voter leaving with too few voters left hands its vote to the oldest learner.
        foreach (var r in meta.Replicas)
        {
            if (statusById.GetValueOrDefault(r.SiloId) == SiloStatus.Removed && declaredDead is not null && declaredDead.Contains(r.SiloId))
            {
                var heir = r.Role == ReplicaRole.Voter && voters < options.MaxMetaVoters
                    ? meta.Replicas.FirstOrDefault(l => l.Role == ReplicaRole.Learner && placeable.Contains(l.SiloId, StringComparer.Ordinal))
                    : null;
                return RouterCommands.RemoveReplica(meta.ShardId, r.ReplicaId, heir?.ReplicaId ?? 0, meta.Epoch ?? new ShardEpoch(), nowMs);
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

    private static RouterCommand? PlanData(ShardDescriptor shard, List<string> placeable, HashSet<string> gone,
        Dictionary<string, int> loads, long nowMs, RouterPlannerOptions options)
    {
        var epoch = shard.Epoch ?? new ShardEpoch();
        // A replica on a gone silo is replaced: a learner is added on a live silo, and once it is
        // in the map the dead replica is removed and the learner promoted in one command, which the
        // shard's leader carries out as one joint change when the learner has caught up.
        ReplicaDescriptor? lost = null;
        ReplicaDescriptor? incoming = null;
        foreach (var r in shard.Replicas)
        {
            var dead = gone.Contains(r.SiloId);
            if (dead && r.Role == ReplicaRole.Learner)
            {
                // Nothing waits on a learner: one on a gone silo simply goes.
                return RouterCommands.RemoveReplica(shard.ShardId, r.ReplicaId, 0, epoch, nowMs);
            }

            if (dead)
            {
                lost ??= r;
            }
            else if (r.Role == ReplicaRole.Learner && placeable.Contains(r.SiloId, StringComparer.Ordinal))
            {
                incoming ??= r;
            }
        }

        if (lost is not null)
        {
            if (incoming is not null)
            {
                return RouterCommands.RemoveReplica(shard.ShardId, lost.ReplicaId, incoming.ReplicaId, epoch, nowMs);
            }

            return shard.Replicas.Count < RouterStateMachine.MaxDataReplicas && LeastLoaded(shard, placeable, loads) is { } target
                ? RouterCommands.AddReplica(shard.ShardId, target, epoch, ReplicaRole.Learner, nowMs)
                : null;
        }

        if (incoming is not null && shard.Replicas.Count > options.ReplicationFactor)
        {
            // The replica it was to replace is back (its silo reports again): the spare goes.
            return RouterCommands.RemoveReplica(shard.ShardId, incoming.ReplicaId, 0, epoch, nowMs);
        }

        if (shard.Replicas.Count >= options.ReplicationFactor)
        {
            return null;
        }

        return LeastLoaded(shard, placeable, loads) is { } best
            ? RouterCommands.AddReplica(shard.ShardId, best, epoch, ReplicaRole.Voter, nowMs)
            : null;
    }

    /// <summary>
    /// The placeable silo with the fewest data replicas that holds none of the shard (on a tie the
    /// smaller id), counted at once so that the other shards planned in this call spread out.
    /// </summary>
    private static string? LeastLoaded(ShardDescriptor shard, List<string> placeable, Dictionary<string, int> loads)
    {
        string? best = null;
        var bestLoad = int.MaxValue;
        foreach (var siloId in placeable)
        {
            var load = loads.GetValueOrDefault(siloId);
            if (load < bestLoad && !HasReplicaOn(shard, siloId))
            {
                best = siloId;
                bestLoad = load;
            }
        }

        if (best is not null)
        {
            loads[best] = bestLoad + 1;
        }

        return best;
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

    /// <summary>
    /// Splits at the middle of its range every data shard whose leader reports more keys or bytes
    /// than the thresholds, if it can be split now: settled, all voters, and its leader has carried
    /// out the last split of it (the report's range version is the map's; until then its counts
    /// still include the keys that are leaving).
    /// </summary>
    private static void PlanSplits(RouterState state, Dictionary<ulong, LeaderHint> hints, RouterPlannerOptions options, long nowMs,
        HashSet<ulong> touched, List<RouterCommand> commands)
    {
        if (options.SplitKeys <= 0 && options.SplitBytes <= 0)
        {
            return;
        }

        foreach (var shard in state.Shards)
        {
            if (shard.ShardId == RouterStateMachine.MetaShardId || touched.Contains(shard.ShardId)
                || !hints.TryGetValue(shard.ShardId, out var hint)
                || !((options.SplitKeys > 0 && hint.KeyCount >= (ulong)options.SplitKeys) || (options.SplitBytes > 0 && hint.SizeBytes >= (ulong)options.SplitBytes))
                || Math.Max(hint.RangeVer, 1) < shard.Epoch.RangeVer
                || shard.HashEnd - shard.HashStart < 2
                || shard.Replicas.Any(r => r.Role != ReplicaRole.Voter)
                || !ShardMotion.IsSettled(shard, hint))
            {
                continue;
            }

            commands.Add(RouterCommands.SplitShard(shard.ShardId, shard.HashStart + ((shard.HashEnd - shard.HashStart) / 2), shard.Epoch, nowMs));
            touched.Add(shard.ShardId);
        }
    }
}
