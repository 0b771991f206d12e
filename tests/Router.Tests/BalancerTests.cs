using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Router.Tests;

/// <summary>The planner's balancing: replica moves onto new silos and preferred leaders, over a simulated cluster whose shard leaders carry out every change at once.</summary>
public sealed class BalancerTests
{
    private static readonly RouterPlannerOptions Options = new();

    /// <summary>
    /// Every shard's leader reports the map's configuration as done, from the preferred replica
    /// if there is one (a transfer is a new term), else from the leader it had.
    /// </summary>
    private static void Settle(RouterStateMachine m, long now)
    {
        var bySilo = new Dictionary<string, List<LeaderHint>>();
        foreach (var shard in m.DataShards)
        {
            var old = m.FindLeader(shard.ShardId);
            var leader = shard.Replicas.FirstOrDefault(r => r.ReplicaId == shard.PreferredLeader)
                         ?? shard.Replicas.FirstOrDefault(r => r.ReplicaId == old?.ReplicaId)
                         ?? shard.Replicas.First(r => r.Role == ReplicaRole.Voter);
            var hint = new LeaderHint
            {
                ShardId = shard.ShardId, ReplicaId = leader.ReplicaId, SiloId = leader.SiloId,
                Term = (old?.Term ?? 1) + (old?.ReplicaId == leader.ReplicaId ? 0UL : 1UL),
                Voters = { shard.Replicas.Where(r => r.Role == ReplicaRole.Voter).Select(r => r.ReplicaId) },
                Learners = { shard.Replicas.Where(r => r.Role == ReplicaRole.Learner).Select(r => r.ReplicaId) },
            };
            (bySilo.TryGetValue(leader.SiloId, out var list) ? list : bySilo[leader.SiloId] = []).Add(hint);
        }

        foreach (var silo in m.State.Silos.Where(s => s.Status != SiloStatus.Removed))
        {
            Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Heartbeat(silo.SiloId, bySilo.GetValueOrDefault(silo.SiloId) ?? [], now)).Outcome);
        }
    }

    /// <summary>Plans, applies, settles until the planner is quiet; returns the commands applied.</summary>
    private static List<RouterCommand> Balance(RouterStateMachine m, long now, int maxRounds = 40)
    {
        var applied = new List<RouterCommand>();
        for (var round = 0; round < maxRounds; round++)
        {
            Settle(m, now);
            var commands = RouterPlanner.Plan(m.State, now, Options);
            if (commands.Count == 0)
            {
                return applied;
            }

            foreach (var c in commands)
            {
                Assert.Equal(RouterOutcome.Applied, m.Next(c).Outcome);
                applied.Add(c);
            }
        }

        Assert.Fail($"no balance in {maxRounds} rounds");
        return applied;
    }

    private static RouterStateMachine ThreeSettledSilos()
    {
        var m = WithSilos(3);
        Converge(m, T0 + 100, Options with { BalanceLeaders = false });
        return m;
    }

    private static Dictionary<string, int> LeadersPerSilo(RouterStateMachine m) =>
        m.DataShards.GroupBy(s => m.FindLeader(s.ShardId)!.SiloId).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void Leaders_all_on_one_silo_spread_until_counts_differ_by_at_most_one()
    {
        var m = ThreeSettledSilos();
        Settle(m, T0 + 200);
        Assert.Equal(16, LeadersPerSilo(m)["s1"]);

        var applied = Balance(m, T0 + 300);

        Assert.All(applied, c => Assert.Equal(RouterCommand.CommandOneofCase.SetPreferredLeader, c.CommandCase));
        // 16 over 3: s1 keeps 6, the others get 5 each, with the fewest changes (10).
        Assert.Equal(10, applied.Count);
        Assert.Equal(new Dictionary<string, int> { ["s1"] = 6, ["s2"] = 5, ["s3"] = 5 }, LeadersPerSilo(m));
        Assert.All(applied, c => Assert.False(c.SetPreferredLeader.Pinned));
    }

    [Fact]
    public void Two_new_silos_get_replicas_until_counts_differ_by_at_most_one_two_moves_in_at_a_time()
    {
        var m = ThreeSettledSilos();
        Balance(m, T0 + 200);
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Register(Silo("s4"), T0 + 300)).Outcome);
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Register(Silo("s5"), T0 + 301)).Outcome);
        Settle(m, T0 + 400);

        // The first round moves two replicas into each new silo, and no more until they are in.
        var first = RouterPlanner.Plan(m.State, T0 + 400, Options).Where(c => c.MoveReplica is not null).ToList();
        Assert.Equal(["s4", "s4", "s5", "s5"], first.Select(c => c.MoveReplica.ToSilo).Order());
        foreach (var c in first)
        {
            Assert.Equal(RouterOutcome.Applied, m.Next(c).Outcome);
        }

        Assert.DoesNotContain(RouterPlanner.Plan(m.State, T0 + 401, Options), c => c.MoveReplica is not null);

        var applied = Balance(m, T0 + 500);

        // 48 replicas over 5 silos: 10, 10, 10, 9, 9 in some order; the old silos keep 10 each, so 18 moves in all.
        var counts = new[] { "s1", "s2", "s3", "s4", "s5" }.Select(s => ReplicasOn(m.State, s)).ToList();
        Assert.Equal([10, 10, 10, 9, 9], counts);
        Assert.Equal(18 - first.Count, applied.Count(c => c.MoveReplica is not null));
        foreach (var shard in m.DataShards)
        {
            Assert.Equal(3, shard.Replicas.Select(r => r.SiloId).Distinct().Count());
            Assert.All(shard.Replicas, r => Assert.Equal(ReplicaRole.Voter, r.Role));
        }

        var leaders = LeadersPerSilo(m);
        Assert.Equal(5, leaders.Count);
        Assert.True(leaders.Values.Max() - leaders.Values.Min() <= 1, string.Join(",", leaders));
    }

    [Fact]
    public void A_moving_shard_is_not_moved_again_until_its_leader_reports_the_change_done()
    {
        var m = ThreeSettledSilos();
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Register(Silo("s4"), T0 + 300)).Outcome);
        Settle(m, T0 + 400);
        var moves = RouterPlanner.Plan(m.State, T0 + 400, Options).Where(c => c.MoveReplica is not null).ToList();
        Assert.Equal(2, moves.Count);
        var moved = m.FindShard(moves[0].MoveReplica.ShardId)!;
        Assert.Equal(RouterOutcome.Applied, m.Next(moves[0]).Outcome);

        var motion = ShardMotion.Of(moved, m.FindLeader(moved.ShardId));
        Assert.Equal(["s4"], motion.Joining.Select(r => r.SiloId));
        Assert.Equal([moves[0].MoveReplica.ReplicaId], motion.Leaving);
        Assert.False(ShardMotion.IsSettled(moved, m.FindLeader(moved.ShardId)));
    }

    [Fact]
    public void An_operators_pinned_preference_is_left_alone_and_counted()
    {
        var m = ThreeSettledSilos();
        Settle(m, T0 + 200);
        var shard = m.DataShards[0];
        var onS3 = shard.Replicas.Single(r => r.SiloId == "s3");
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.SetPreferredLeader(shard.ShardId, onS3.ReplicaId, true, T0 + 250)).Outcome);

        var applied = Balance(m, T0 + 300);

        Assert.DoesNotContain(applied, c => c.SetPreferredLeader?.ShardId == shard.ShardId);
        Assert.Equal(onS3.ReplicaId, m.FindShard(shard.ShardId)!.PreferredLeader);
        Assert.Equal(new Dictionary<string, int> { ["s1"] = 6, ["s2"] = 5, ["s3"] = 5 }, LeadersPerSilo(m));
    }

    [Fact]
    public void A_preference_for_a_draining_silo_is_dropped_unless_pinned()
    {
        var m = WithSilos(4);
        Converge(m, T0 + 100, Options with { BalanceLeaders = false });
        Balance(m, T0 + 200);
        var preferredOnS2 = m.DataShards.Where(s => s.Replicas.Any(r => r.ReplicaId == s.PreferredLeader && r.SiloId == "s2")).ToList();
        Assert.NotEmpty(preferredOnS2);
        var pinned = preferredOnS2[0];
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.SetPreferredLeader(pinned.ShardId, pinned.PreferredLeader, true, T0 + 250)).Outcome);
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Drain("s2", T0 + 260)).Outcome);

        var plan = RouterPlanner.Plan(m.State, T0 + 300, Options);

        Assert.Equal(preferredOnS2.Skip(1).Select(s => s.ShardId).Order(),
            plan.Where(c => c.SetPreferredLeader is { ReplicaId: 0 }).Select(c => c.SetPreferredLeader.ShardId).Order());
    }

    [Fact]
    public void No_moves_while_a_shard_is_short_of_replicas()
    {
        var m = ThreeSettledSilos();
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Register(Silo("s4"), T0 + 300)).Outcome);
        Settle(m, T0 + 400);
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.MarkDead("s3", m.FindSilo("s3")!.LastHeartbeatMs, T0 + 401)).Outcome);

        var plan = RouterPlanner.Plan(m.State, T0 + 402, Options);

        Assert.DoesNotContain(plan, c => c.MoveReplica is not null);
        Assert.Equal(16, plan.Count(c => c.AddReplica is { SiloId: "s4", Role: ReplicaRole.Learner }));
    }
}
