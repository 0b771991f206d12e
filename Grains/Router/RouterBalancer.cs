using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Router;

/// <summary>
/// The balancing half of <see cref="RouterPlanner"/> (PD's balance-region and balance-leader):
/// moves data replicas until the placeable silos' replica counts differ by at most one, and
/// names preferred leaders until their leader counts differ by at most one. It starts work only
/// on settled shards (the leader reported exactly the map's configuration) and never more than
/// <see cref="RouterPlannerOptions.MaxMovesPerSilo"/> replicas moving into one silo at a time.
/// </summary>
internal static class RouterBalancer
{
    /// <summary>
    /// Adds replica moves to <paramref name="commands"/>; shards it touches join <paramref name="touched"/>.
    /// <paramref name="dataReplicas"/> is the planner's count of the data replicas the map places on
    /// each silo, which nothing planned has changed yet.
    /// </summary>
    public static void PlanMoves(RouterState state, IReadOnlyList<string> placeable, IReadOnlyDictionary<string, int> dataReplicas,
        Dictionary<ulong, LeaderHint> hints, RouterPlannerOptions options, long nowMs, HashSet<ulong> touched, List<RouterCommand> commands)
    {
        if (placeable.Count < 2)
        {
            return;
        }

        var loads = placeable.ToDictionary(s => s, s => dataReplicas.GetValueOrDefault(s), StringComparer.Ordinal);
        var incoming = placeable.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        var movable = new List<ShardDescriptor>();
        foreach (var shard in DataShards(state))
        {
            var hint = hints.GetValueOrDefault(shard.ShardId);
            var motion = ShardMotion.Of(shard, hint);
            foreach (var r in motion.Joining)
            {
                if (incoming.ContainsKey(r.SiloId))
                {
                    incoming[r.SiloId]++;
                }
            }

            if (!touched.Contains(shard.ShardId) && shard.Replicas.Count == options.ReplicationFactor && ShardMotion.IsSettled(shard, hint)
                && shard.Replicas.All(r => loads.ContainsKey(r.SiloId)))
            {
                movable.Add(shard);
            }
        }

        while (true)
        {
            var move = NextMove(placeable, loads, incoming, movable, hints, options);
            if (move is not { } m)
            {
                return;
            }

            commands.Add(RouterCommands.MoveReplica(m.Shard.ShardId, m.Replica.ReplicaId, m.To, m.Shard.Epoch ?? new ShardEpoch(), nowMs));
            loads[m.Replica.SiloId]--;
            loads[m.To]++;
            incoming[m.To]++;
            movable.Remove(m.Shard);
            touched.Add(m.Shard.ShardId);
        }
    }

    /// <summary>Adds preferred-leader changes to <paramref name="commands"/> for shards not in <paramref name="touched"/>.</summary>
    public static void PlanLeaders(RouterState state, IReadOnlyList<string> placeable, Dictionary<ulong, LeaderHint> hints,
        long nowMs, HashSet<ulong> touched, List<RouterCommand> commands)
    {
        if (placeable.Count == 0)
        {
            return;
        }

        var counts = placeable.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        // Shards whose preference the balancer may change, with the silo that leads (or is to lead) them.
        var candidates = new List<(ShardDescriptor Shard, string Leader)>();
        foreach (var shard in DataShards(state))
        {
            var hint = hints.GetValueOrDefault(shard.ShardId);
            var preferred = shard.PreferredLeader == 0 ? null : shard.Replicas.FirstOrDefault(r => r.ReplicaId == shard.PreferredLeader);
            if (preferred is not null && !counts.ContainsKey(preferred.SiloId))
            {
                // A preference for a silo that cannot lead now (draining, dead, away) is dropped,
                // unless an operator pinned it; it would otherwise pull leadership back later.
                // It changes no epoch, so it may go beside a repair of the same shard.
                if (!shard.LeaderPinned)
                {
                    commands.Add(RouterCommands.SetPreferredLeader(shard.ShardId, 0, false, nowMs));
                }

                continue;
            }

            var leader = preferred?.SiloId ?? hint?.SiloId;
            if (leader is null || !counts.ContainsKey(leader))
            {
                continue;
            }

            counts[leader]++;
            if (!shard.LeaderPinned && !touched.Contains(shard.ShardId) && ShardMotion.IsSettled(shard, hint))
            {
                candidates.Add((shard, leader));
            }
        }

        while (NextLeaderChange(placeable, counts, candidates) is { } change)
        {
            var (shard, from) = candidates[change.Candidate];
            commands.Add(RouterCommands.SetPreferredLeader(shard.ShardId, change.Replica.ReplicaId, false, nowMs));
            counts[from]--;
            counts[change.Replica.SiloId]++;
            candidates.RemoveAt(change.Candidate);
            touched.Add(shard.ShardId);
        }
    }

    /// <summary>
    /// A shard led by a silo with at least two more leaders than another silo holding one of its
    /// voters, and that voter: the busiest silo and the idlest target first.
    /// </summary>
    private static (int Candidate, ReplicaDescriptor Replica)? NextLeaderChange(IReadOnlyList<string> placeable, Dictionary<string, int> counts,
        List<(ShardDescriptor Shard, string Leader)> candidates)
    {
        // placeable is sorted by id and the sorts are stable, so ties go to the smaller id.
        foreach (var from in placeable.OrderByDescending(s => counts[s]))
        {
            foreach (var to in placeable.Where(s => counts[from] - counts[s] > 1).OrderBy(s => counts[s]))
            {
                for (var i = 0; i < candidates.Count; i++)
                {
                    var (shard, leader) = candidates[i];
                    if (leader == from && shard.Replicas.FirstOrDefault(r => r.SiloId == to && r.Role == ReplicaRole.Voter) is { } voter)
                    {
                        return (i, voter);
                    }
                }
            }
        }

        return null;
    }

    private readonly record struct Move(ShardDescriptor Shard, ReplicaDescriptor Replica, string To);

    /// <summary>
    /// The next move: from the busiest silo that has a movable replica to the least busy silo
    /// with room for another incoming replica, when their counts differ by two or more. A
    /// follower replica moves before a leader's, which would first have to hand over.
    /// </summary>
    private static Move? NextMove(IReadOnlyList<string> placeable, Dictionary<string, int> loads, Dictionary<string, int> incoming,
        List<ShardDescriptor> movable, Dictionary<ulong, LeaderHint> hints, RouterPlannerOptions options)
    {
        // placeable is sorted by id and OrderBy is stable, so ties go to the smaller id.
        foreach (var to in placeable.Where(s => incoming[s] < options.MaxMovesPerSilo).OrderBy(s => loads[s]))
        {
            foreach (var from in placeable.OrderByDescending(s => loads[s]))
            {
                if (loads[from] - loads[to] <= 1)
                {
                    break;
                }

                Move? leaderMove = null;
                foreach (var shard in movable)
                {
                    var replica = shard.Replicas.FirstOrDefault(r => r.SiloId == from);
                    if (replica is null || shard.Replicas.Any(r => r.SiloId == to))
                    {
                        continue;
                    }

                    if (hints.GetValueOrDefault(shard.ShardId)?.ReplicaId != replica.ReplicaId)
                    {
                        return new Move(shard, replica, to);
                    }

                    leaderMove ??= new Move(shard, replica, to);
                }

                if (leaderMove is not null)
                {
                    return leaderMove;
                }
            }
        }

        return null;
    }

    private static IEnumerable<ShardDescriptor> DataShards(RouterState state) =>
        state.Shards.Where(s => s.ShardId != RouterStateMachine.MetaShardId);
}
