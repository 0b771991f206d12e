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

        // A dead silo sends nothing: its heartbeat would make it active again.
        foreach (var silo in m.State.Silos.Where(s => s.Status is not (SiloStatus.Removed or SiloStatus.Dead)))
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
        Assert.All(applied, c => Assert.Equal((false, true), (c.SetPreferredLeader.Pinned, c.SetPreferredLeader.UnlessPinned)));
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

    /// <summary>Where a data shard of a hand-built map lives: the silo it is led by, its silos, and whether an operator pinned its leader.</summary>
    private sealed record Placement(ulong Shard, string Leader, string[] Silos, bool Pinned);

    /// <summary>
    /// The final map of a CI run of ElasticTests whose leaders never balanced: s5 dead, nine data
    /// shards on s1..s4 with replicas 7,7,7,6 and leaders 3,2,3,1; every shard but 5 and 9 pinned
    /// to its leader, and neither of those two has a replica on s4, the silo short of leaders.
    /// </summary>
    private static readonly Placement[] StalledLayout =
    [
        new(1, "s3", ["s2", "s3", "s4"], Pinned: true),
        new(2, "s1", ["s1", "s3", "s4"], Pinned: true),
        new(3, "s3", ["s1", "s3", "s4"], Pinned: true),
        new(4, "s1", ["s1", "s2", "s4"], Pinned: true),
        new(5, "s1", ["s1", "s2", "s3"], Pinned: false),
        new(6, "s4", ["s1", "s2", "s4"], Pinned: true),
        new(7, "s2", ["s2", "s3", "s4"], Pinned: true),
        new(8, "s2", ["s1", "s2", "s3"], Pinned: true),
        new(9, "s3", ["s1", "s2", "s3"], Pinned: false),
    ];

    private static readonly string[] Live = ["s1", "s2", "s3", "s4"];

    /// <summary>
    /// A machine holding <paramref name="layout"/> on s1..s4 (s5 dead), every shard settled: its
    /// leader reports the map's voters. Pinned shards prefer their leader; shard 9, unpinned,
    /// prefers it too (as the balancer would have named it), shard 5 prefers none.
    /// </summary>
    private static RouterStateMachine Mapped(Placement[] layout, long now)
    {
        var state = RouterStateMachine.Bootstrap("c1", Silo("s1"), layout.Length, T0);
        state.Silos[0].LastHeartbeatMs = now;
        foreach (var id in new[] { "s2", "s3", "s4", "s5" })
        {
            var silo = Silo(id);
            silo.Status = id == "s5" ? SiloStatus.Dead : SiloStatus.Active;
            silo.JoinedMs = T0;
            silo.LastHeartbeatMs = id == "s5" ? T0 : now;
            state.Silos.Add(silo);
        }

        var meta = state.Shards[0];
        foreach (var id in new[] { "s2", "s3", "s4" })
        {
            meta.Replicas.Add(new ReplicaDescriptor { ReplicaId = state.NextReplicaId++, SiloId = id, Role = id == "s4" ? ReplicaRole.Learner : ReplicaRole.Voter });
        }

        foreach (var p in layout)
        {
            var shard = state.Shards.Single(s => s.ShardId == p.Shard);
            shard.Replicas.Clear();
            foreach (var id in p.Silos)
            {
                shard.Replicas.Add(new ReplicaDescriptor { ReplicaId = state.NextReplicaId++, SiloId = id, Role = ReplicaRole.Voter });
            }

            var leader = shard.Replicas.Single(r => r.SiloId == p.Leader);
            shard.Epoch.ConfVer = 4;
            shard.PreferredLeader = p.Pinned || p.Shard == 9 ? leader.ReplicaId : 0;
            shard.LeaderPinned = p.Pinned;
            state.Leaders.Add(new LeaderHint
            {
                ShardId = p.Shard, ReplicaId = leader.ReplicaId, SiloId = leader.SiloId, Term = 2, RangeVer = 1,
                Voters = { shard.Replicas.Select(r => r.ReplicaId) },
            });
        }

        var m = new RouterStateMachine();
        m.RestoreSnapshot(RouterStateMachine.EncodeSnapshot(state, 1));
        return m;
    }

    private static int[] ReplicasPerLiveSilo(RouterStateMachine m) => Live.Select(s => ReplicasOn(m.State, s)).ToArray();

    private static int[] LeadersPerLiveSilo(RouterStateMachine m) => Live.Select(s => LeadersPerSilo(m).GetValueOrDefault(s)).ToArray();

    /// <summary>Plans and applies the one command that lets s4 lead in the stalled map.</summary>
    private static (RouterStateMachine Machine, RouterCommand Move) StalledThenMoved(long now)
    {
        var m = Mapped(StalledLayout, now);
        var move = Assert.Single(RouterPlanner.Plan(m.State, now, Options));
        Assert.Equal(RouterOutcome.Applied, m.Next(move).Outcome);
        return (m, move);
    }

    [Fact]
    public void Leaders_stalled_by_pinned_shards_move_a_follower_of_the_busiest_silos_shard_onto_the_idle_silo()
    {
        var now = T0 + 100;
        var m = Mapped(StalledLayout, now);
        Assert.Equal([7, 7, 7, 6], ReplicasPerLiveSilo(m));
        Assert.Equal([3, 2, 3, 1], LeadersPerLiveSilo(m));

        var plan = RouterPlanner.Plan(m.State, now, Options);

        // s1 and s3 lead three, s4 one, and no unpinned shard has a voter on s4: no preferred
        // leader can fix that, so one follower of s1's unpinned shard 5 moves to s4, from s2 (the
        // first of its followers' silos, which hold 7 replicas to s4's 6).
        var shard5 = m.FindShard(5)!;
        var onS2 = shard5.Replicas.Single(r => r.SiloId == "s2");
        Assert.Equal([RouterCommands.MoveReplica(5, onS2.ReplicaId, "s4", shard5.Epoch, now)], plan);
        Assert.NotEqual(m.FindLeader(5)!.ReplicaId, onS2.ReplicaId);
        Assert.True(ReplicasOn(m.State, "s2") > ReplicasOn(m.State, "s4"));
    }

    [Fact]
    public void Once_the_moved_follower_is_a_voter_on_the_idle_silo_it_is_named_leader()
    {
        var now = T0 + 100;
        var (m, _) = StalledThenMoved(now);
        var onS4 = m.FindShard(5)!.Replicas.Single(r => r.SiloId == "s4");

        // Until shard 5's leader reports the new replica a voter, nothing more is planned.
        Assert.Empty(RouterPlanner.Plan(m.State, now + 1, Options));

        Settle(m, now + 2);
        var plan = RouterPlanner.Plan(m.State, now + 2, Options);

        Assert.Equal([RouterCommands.BalanceLeader(5, onS4.ReplicaId, now + 2)], plan);
        Assert.Equal(RouterOutcome.Applied, m.Next(plan[0]).Outcome);
        Assert.Empty(Balance(m, now + 3));
        Assert.Equal([7, 6, 7, 7], ReplicasPerLiveSilo(m));
        Assert.Equal([2, 2, 3, 2], LeadersPerLiveSilo(m));
    }

    [Fact]
    public void The_replica_balancer_does_not_move_the_follower_back()
    {
        var now = T0 + 100;
        var (m, _) = StalledThenMoved(now);
        Settle(m, now + 1);

        // Replica counts went from 7,7,7,6 to 7,6,7,7: still within one, so no move undoes it.
        Assert.Equal([7, 6, 7, 7], ReplicasPerLiveSilo(m));
        Assert.Empty(RouterPlanner.Plan(m.State, now + 1, Options with { BalanceLeaders = false }));

        var applied = Balance(m, now + 2);

        Assert.Equal([RouterCommand.CommandOneofCase.SetPreferredLeader], applied.Select(c => c.CommandCase));
        Assert.Equal([7, 6, 7, 7], ReplicasPerLiveSilo(m));
    }

    [Fact]
    public void Leaders_a_transfer_can_balance_move_no_replica()
    {
        var now = T0 + 100;
        // Shard 5 on s4 instead of s3 and pinned shard 4 on s3 instead of s4: the same replica
        // counts, and s1 can hand shard 5 to s4 directly.
        var layout = StalledLayout.Select(p => p.Shard switch
        {
            4 => p with { Silos = ["s1", "s2", "s3"] },
            5 => p with { Silos = ["s1", "s2", "s4"] },
            _ => p,
        }).ToArray();
        var m = Mapped(layout, now);
        Assert.Equal([7, 7, 7, 6], ReplicasPerLiveSilo(m));

        var plan = RouterPlanner.Plan(m.State, now, Options);

        var onS4 = m.FindShard(5)!.Replicas.Single(r => r.SiloId == "s4");
        Assert.Equal([RouterCommands.BalanceLeader(5, onS4.ReplicaId, now)], plan);
    }

    [Fact]
    public void Balanced_leaders_move_no_replica_even_with_shards_that_could_not_move_theirs()
    {
        var now = T0 + 100;
        // Pinned shard 1 led by its replica on s4 instead of s3: leaders 3,2,2,2.
        var m = Mapped(StalledLayout.Select(p => p.Shard == 1 ? p with { Leader = "s4" } : p).ToArray(), now);
        Assert.Equal([3, 2, 2, 2], LeadersPerLiveSilo(m));

        Assert.Empty(RouterPlanner.Plan(m.State, now, Options));
    }
}
