using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class PlannerTests
{
    private static readonly RouterPlannerOptions Options = new();

    private static void AssertPlacementInvariants(RouterStateMachine m, int replicationFactor)
    {
        foreach (var shard in m.DataShards)
        {
            Assert.Equal(replicationFactor, shard.Replicas.Count);
            Assert.Equal(shard.Replicas.Count, shard.Replicas.Select(r => r.SiloId).Distinct().Count());
            Assert.All(shard.Replicas, r => Assert.Equal(ReplicaRole.Voter, r.Role));
        }
    }

    /// <summary>The planner's commands for data shards (the meta shard's are tested on their own).</summary>
    private static List<RouterCommand> DataPlan(RouterStateMachine m, long now) =>
        RouterPlanner.Plan(m.State, now, Options)
            .Where(c => (c.AddReplica?.ShardId ?? c.RemoveReplica?.ShardId ?? c.SetRole?.ShardId ?? 0) != 0)
            .ToList();

    private static void HeartbeatAll(RouterStateMachine m, long now, params string[] silos)
    {
        foreach (var s in silos)
        {
            Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Heartbeat(s, [], now)).Outcome);
        }
    }

    [Fact]
    public void Three_silos_reach_three_replicas_per_shard_in_two_rounds()
    {
        var m = WithSilos(3);

        var rounds = Converge(m, T0 + 100, Options);

        Assert.Equal(2, rounds);
        AssertPlacementInvariants(m, 3);
        Assert.Equal([16, 16, 16], new[] { "s1", "s2", "s3" }.Select(s => ReplicasOn(m.State, s)));
        Assert.Equal(16UL + 2 + 2 + 32, m.State.NextReplicaId);
    }

    [Fact]
    public void Five_silos_share_the_new_replicas_evenly()
    {
        var m = WithSilos(5);

        Converge(m, T0 + 100, Options);

        AssertPlacementInvariants(m, 3);
        // s1 holds the 16 bootstrap replicas; the 32 added ones spread over s2..s5.
        Assert.Equal([16, 8, 8, 8, 8], new[] { "s1", "s2", "s3", "s4", "s5" }.Select(s => ReplicasOn(m.State, s)));
    }

    [Fact]
    public void One_round_spreads_by_load_with_ties_to_the_smaller_silo_id()
    {
        var m = WithSilos(3, shards: 4);
        var now = T0 + 100;

        var plan = RouterPlanner.Plan(m.State, now, Options);

        var epoch = new ShardEpoch { ConfVer = 1, RangeVer = 1 };
        Assert.Equal(
            [
                RouterCommands.AddReplica(1, "s2", epoch, ReplicaRole.Voter, now),
                RouterCommands.AddReplica(2, "s3", epoch, ReplicaRole.Voter, now),
                RouterCommands.AddReplica(3, "s2", epoch, ReplicaRole.Voter, now),
                RouterCommands.AddReplica(4, "s3", epoch, ReplicaRole.Voter, now),
            ],
            plan);
    }

    [Fact]
    public void Planning_does_not_change_the_state()
    {
        var m = WithSilos(4);
        var before = m.State.Clone();

        RouterPlanner.Plan(m.State, T0 + 50_000, Options);

        Assert.Equal(before, m.State);
    }

    [Fact]
    public void A_silo_Orleans_declares_dead_is_marked_dead_and_gets_nothing()
    {
        var m = WithSilos(4);
        var now = T0 + 15_000;
        HeartbeatAll(m, now, "s1", "s2", "s3");
        var dead = new HashSet<string> { "s4" };

        var first = RouterPlanner.Plan(m.State, now, Options, dead);
        Assert.Equal(RouterCommands.MarkDead("s4", T0 + 4, now), first[0]);
        Assert.DoesNotContain(first.Skip(1), c => c.AddReplica?.SiloId == "s4");

        Converge(m, now, Options, declaredDead: dead);

        Assert.Equal(SiloStatus.Dead, m.FindSilo("s4")!.Status);
        Assert.Equal(0, ReplicasOn(m.State, "s4"));
        AssertPlacementInvariants(m, 3);
    }

    [Fact]
    public void A_silo_not_declared_dead_is_never_marked_dead_but_gets_nothing_once_away_past_the_down_time()
    {
        var m = WithSilos(2, shards: 1);
        var now = T0 + 3_600_000;
        HeartbeatAll(m, now, "s1");
        var options = new RouterPlannerOptions(ReplicationFactor: 2);

        // s2 last reported at T0 + 2, an hour ago: only Orleans' membership marks a silo dead,
        // but a silo away past the down time takes no replica.
        Assert.Empty(RouterPlanner.Plan(m.State, now, options, new HashSet<string> { "s9" }));

        // A leader that has watched the reports for less than the down time counts nobody away.
        var fresh = RouterPlanner.Plan(m.State, now, options, new HashSet<string> { "s9" }, watchingSinceMs: now - options.DownTimeMs);
        Assert.Equal([RouterCommands.AddReplica(1, "s2", new ShardEpoch { ConfVer = 1, RangeVer = 1 }, ReplicaRole.Voter, now)], fresh);
    }

    [Fact]
    public void A_silo_away_past_the_down_time_has_its_replicas_replaced_without_being_marked_dead()
    {
        var m = WithSilos(4, shards: 2);
        Converge(m, T0 + 100, Options);
        var now = T0 + 100 + Options.DownTimeMs + 1;
        HeartbeatAll(m, now, "s1", "s2", "s3");
        var away = m.DataShards.Where(s => s.Replicas.Any(r => r.SiloId == "s4")).Select(s => s.ShardId).ToList();
        Assert.NotEmpty(away);

        Converge(m, now, Options);

        Assert.Equal(SiloStatus.Active, m.FindSilo("s4")!.Status);
        Assert.Equal(0, ReplicasOn(m.State, "s4"));
        AssertPlacementInvariants(m, 3);
    }

    [Fact]
    public void When_a_meta_voter_dies_the_oldest_learner_is_promoted_after_the_death_applies()
    {
        var m = WithSilos(5);
        var now = T0 + 15_000;
        HeartbeatAll(m, now, "s1", "s3", "s4", "s5");
        var meta = m.FindShard(0)!;
        var s4Learner = meta.Replicas.Single(r => r.SiloId == "s4");
        Assert.Equal(ReplicaRole.Learner, s4Learner.Role);

        var dead = new HashSet<string> { "s2" };
        var first = RouterPlanner.Plan(m.State, now, Options, dead);
        Assert.Equal(RouterCommands.MarkDead("s2", T0 + 2, now), first[0]);
        Assert.DoesNotContain(first, c => c.SetRole is not null);
        Assert.Equal(RouterOutcome.Applied, m.Next(first[0]).Outcome);

        var second = RouterPlanner.Plan(m.State, now, Options, dead);
        Assert.Equal(RouterCommands.SetRole(0, s4Learner.ReplicaId, ReplicaRole.Voter, meta.Epoch, now), second[0]);

        Converge(m, now, Options, declaredDead: dead);
        Assert.Equal(
            ["s1", "s2", "s3", "s4"],
            meta.Replicas.Where(r => r.Role == ReplicaRole.Voter).Select(r => r.SiloId));
        Assert.Equal(ReplicaRole.Learner, meta.Replicas.Single(r => r.SiloId == "s5").Role);
    }

    [Fact]
    public void A_dead_silos_data_replicas_are_replaced_by_learners_promoted_as_they_leave()
    {
        var m = WithSilos(4);
        Converge(m, T0 + 100, Options);
        var now = T0 + 15_000;
        HeartbeatAll(m, now, "s1", "s2", "s3");
        var dead = new HashSet<string> { "s4" };
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.MarkDead("s4", T0 + 4, now)).Outcome);
        var affected = m.DataShards.Where(s => s.Replicas.Any(r => r.SiloId == "s4")).Select(s => s.ShardId).ToList();
        Assert.NotEmpty(affected);

        // Round one: a learner for each shard that lost a replica, on the live silo without one.
        var first = RouterPlanner.Plan(m.State, now, Options, dead);
        Assert.Equal(affected, first.Select(c => c.AddReplica.ShardId));
        foreach (var c in first)
        {
            var shard = m.FindShard(c.AddReplica.ShardId)!;
            Assert.Equal(ReplicaRole.Learner, c.AddReplica.Role);
            Assert.DoesNotContain(shard.Replicas, r => r.SiloId == c.AddReplica.SiloId);
            Assert.NotEqual("s4", c.AddReplica.SiloId);
            Assert.Equal(RouterOutcome.Applied, m.Next(c).Outcome);
        }

        // Round two: each lost replica leaves as its learner becomes a voter, in one command.
        var second = RouterPlanner.Plan(m.State, now, Options, dead);
        Assert.Equal(affected, second.Select(c => c.RemoveReplica.ShardId));
        foreach (var c in second)
        {
            var shard = m.FindShard(c.RemoveReplica.ShardId)!;
            Assert.Equal("s4", shard.Replicas.Single(r => r.ReplicaId == c.RemoveReplica.ReplicaId).SiloId);
            Assert.Equal(ReplicaRole.Learner, shard.Replicas.Single(r => r.ReplicaId == c.RemoveReplica.PromoteReplicaId).Role);
        }

        Assert.Equal(1, Converge(m, now, Options, declaredDead: dead));
        AssertPlacementInvariants(m, 3);
        Assert.Equal(0, ReplicasOn(m.State, "s4"));
        Assert.Equal([16, 16, 16], new[] { "s1", "s2", "s3" }.Select(s => ReplicasOn(m.State, s)));
    }

    [Fact]
    public void A_learner_on_a_dead_silo_goes_and_a_new_one_is_placed_elsewhere()
    {
        var m = WithSilos(5, shards: 1);
        Converge(m, T0 + 100, Options);
        var now = T0 + 15_000;
        HeartbeatAll(m, now, "s1", "s2", "s3", "s4", "s5");
        // s3 holds a voter of shard 1 (s1, s2, s3); it dies, and the learner placed for it dies too.
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.MarkDead("s3", now, now)).Outcome);
        var add = Assert.Single(DataPlan(m, now));
        Assert.Equal(("s4", ReplicaRole.Learner), (add.AddReplica.SiloId, add.AddReplica.Role));
        var learnerId = m.Next(add).ReplicaId;
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.MarkDead("s4", now, now + 1)).Outcome);

        var plan = DataPlan(m, now + 2);

        Assert.Equal([RouterCommands.RemoveReplica(1, learnerId, 0, m.FindShard(1)!.Epoch, now + 2)], plan);
        Converge(m, now + 2, Options);
        Assert.Equal(["s1", "s2", "s5"], m.FindShard(1)!.Replicas.Select(r => r.SiloId));
        Assert.All(m.FindShard(1)!.Replicas, r => Assert.Equal(ReplicaRole.Voter, r.Role));
    }

    [Fact]
    public void A_spare_learner_goes_when_the_silo_it_was_to_replace_comes_back()
    {
        var m = WithSilos(4, shards: 1);
        Converge(m, T0 + 100, Options);
        var now = T0 + 15_000;
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.MarkDead("s3", T0 + 3, now)).Outcome);
        var add = Assert.Single(DataPlan(m, now));
        var learnerId = m.Next(add).ReplicaId;
        // s3 reports again before the swap: it is ACTIVE, its replica stays, the spare is dropped.
        HeartbeatAll(m, now + 1, "s3");

        var plan = DataPlan(m, now + 2);

        Assert.Equal([RouterCommands.RemoveReplica(1, learnerId, 0, m.FindShard(1)!.Epoch, now + 2)], plan);
        Converge(m, now + 2, Options);
        Assert.Equal(["s1", "s2", "s3"], m.FindShard(1)!.Replicas.Select(r => r.SiloId));
    }

    [Fact]
    public void An_active_silo_without_a_meta_replica_gets_one()
    {
        var state = RouterStateMachine.Bootstrap("c1", Silo("s1"), 2, T0);
        state.Silos.Add(new SiloInfo { SiloId = "s2", Status = SiloStatus.Active, LastHeartbeatMs = T0, JoinedMs = T0 });
        state.Silos.Add(new SiloInfo { SiloId = "s3", Status = SiloStatus.Active, LastHeartbeatMs = T0, JoinedMs = T0 });
        var m = new RouterStateMachine();
        m.RestoreSnapshot(RouterStateMachine.EncodeSnapshot(state, 5));

        var plan = RouterPlanner.Plan(m.State, T0 + 1, new RouterPlannerOptions(MaxMetaVoters: 2));

        // One command per shard: the meta shard gets s2 (a voter: one of two), s3 waits for the next round.
        Assert.Equal(RouterCommands.AddReplica(0, "s2", new ShardEpoch { ConfVer = 1, RangeVer = 1 }, ReplicaRole.Voter, T0 + 1), plan[0]);
        Assert.Equal(1, plan.Count(c => c.AddReplica?.ShardId == 0));

        Converge(m, T0 + 1, new RouterPlannerOptions(MaxMetaVoters: 2));
        Assert.Equal(
            [("s1", ReplicaRole.Voter), ("s2", ReplicaRole.Voter), ("s3", ReplicaRole.Learner)],
            m.FindShard(0)!.Replicas.Select(r => (r.SiloId, r.Role)));
    }

    [Fact]
    public void Nothing_to_do_on_a_settled_cluster_and_options_are_checked()
    {
        var m = WithSilos(3);
        Converge(m, T0 + 100, Options);

        Assert.Empty(RouterPlanner.Plan(m.State, T0 + 100, Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RouterPlanner.Plan(m.State, T0, new RouterPlannerOptions(ReplicationFactor: 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RouterPlanner.Plan(m.State, T0, new RouterPlannerOptions(MaxMetaVoters: 0)));
    }
}
