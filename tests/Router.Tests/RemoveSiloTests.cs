using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class RemoveSiloTests
{
    private static readonly RouterPlannerOptions Options = new();

    /// <summary>Five silos (meta: s1..s3 vote, s4 and s5 learn), data placed, then <paramref name="silo"/> drained empty.</summary>
    private static RouterStateMachine Drained(string silo)
    {
        var m = WithSilos(5, shards: 4);
        Converge(m, T0 + 100, Options);
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Drain(silo, T0 + 200)).Outcome);
        Converge(m, T0 + 300, Options);
        Assert.Equal(0, ReplicasOn(m.State, silo));
        return m;
    }

    [Fact]
    public void A_removed_silo_keeps_its_meta_replica_until_it_has_stopped()
    {
        var m = Drained("s5");
        var meta = m.FindShard(0)!;
        var s5Meta = meta.Replicas.Single(r => r.SiloId == "s5").ReplicaId;

        Assert.Equal(new RouterResult(RouterOutcome.Applied), m.Next(RouterCommands.RemoveSilo("s5", T0 + 400)));
        Assert.Equal(SiloStatus.Removed, m.FindSilo("s5")!.Status);
        // Still running: it learns of its removal through its meta replica, which stays.
        Assert.Empty(RouterPlanner.Plan(m.State, T0 + 500, Options));
        // Again: accepted, nothing changes.
        var before = m.State.Clone();
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.RemoveSilo("s5", T0 + 500)).Outcome);
        before.NowMs = T0 + 500;
        Assert.Equal(before, m.State);

        // Stopped (Orleans lists it dead): its meta replica goes.
        var stopped = new HashSet<string> { "s5" };
        Assert.Equal([RouterCommands.RemoveReplica(0, s5Meta, 0, meta.Epoch, T0 + 600)], RouterPlanner.Plan(m.State, T0 + 600, Options, stopped));
        Converge(m, T0 + 600, Options, declaredDead: stopped);
        Assert.Equal(["s1", "s2", "s3", "s4"], meta.Replicas.Select(r => r.SiloId));
        Assert.Equal(SiloStatus.Removed, m.FindSilo("s5")!.Status);
    }

    [Fact]
    public void A_stopped_removed_meta_voter_leaves_without_an_heir_when_enough_voters_remain()
    {
        var m = Drained("s2");
        // Draining s2 left two voters on active silos: s4 was promoted then.
        Assert.Equal(ReplicaRole.Voter, m.FindShard(0)!.Replicas.Single(r => r.SiloId == "s4").Role);

        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.RemoveSilo("s2", T0 + 400)).Outcome);
        Converge(m, T0 + 500, Options, declaredDead: new HashSet<string> { "s2" });

        Assert.Equal(
            [("s1", ReplicaRole.Voter), ("s3", ReplicaRole.Voter), ("s4", ReplicaRole.Voter), ("s5", ReplicaRole.Learner)],
            m.FindShard(0)!.Replicas.Select(r => (r.SiloId, r.Role)));
    }

    [Fact]
    public void A_removed_silo_stays_removed_through_death_reports_and_heartbeats_but_registering_makes_it_a_member_again()
    {
        var m = Drained("s5");
        m.Next(RouterCommands.RemoveSilo("s5", T0 + 400));

        Assert.DoesNotContain(RouterPlanner.Plan(m.State, T0 + 500, Options, new HashSet<string> { "s5" }), c => c.MarkDead is not null);
        // Never stopped here, so its meta replica stayed: registering again it keeps that one.
        Assert.Equal(new RouterResult(RouterOutcome.Refused, RouterRefusals.SiloRemoved),
            m.Next(RouterCommands.MarkDead("s5", m.FindSilo("s5")!.LastHeartbeatMs, T0 + 500)));
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Heartbeat("s5", [], T0 + 600)).Outcome);
        Assert.Equal(SiloStatus.Removed, m.FindSilo("s5")!.Status);

        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Register(Silo("s5"), T0 + 700)).Outcome);
        Assert.Equal(SiloStatus.Active, m.FindSilo("s5")!.Status);
        Assert.Single(m.FindShard(0)!.Replicas, r => r.SiloId == "s5");
    }

    public static TheoryData<string, string> Refusals() => new()
    {
        { "ghost", RouterRefusals.UnknownSilo },
        { "s3", RouterRefusals.NotDrained },
        { "s4", RouterRefusals.StillHoldsReplicas },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Each_refusal_leaves_the_state_unchanged(string silo, string reason)
    {
        var m = WithSilos(5, shards: 4);
        Converge(m, T0 + 100, Options);
        // s4 is draining but not drained yet: it still holds its replicas.
        Assert.True(ReplicasOn(m.State, "s4") > 0);
        m.Next(RouterCommands.Drain("s4", T0 + 200));
        var before = m.State.Clone();

        var result = m.Next(RouterCommands.RemoveSilo(silo, T0 + 300));

        Assert.Equal(new RouterResult(RouterOutcome.Refused, reason), result);
        Assert.Equal(before, m.State);
    }
}
