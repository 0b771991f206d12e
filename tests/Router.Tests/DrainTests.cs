using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class DrainTests
{
    private static readonly RouterPlannerOptions Options = new();

    [Fact]
    public void A_drained_silo_takes_nothing_and_its_replicas_move_to_the_others()
    {
        var m = WithSilos(4, shards: 8);
        Converge(m, T0 + 100, Options);
        Assert.True(ReplicasOn(m.State, "s4") > 0);

        Assert.Equal(new RouterResult(RouterOutcome.Applied), m.Next(RouterCommands.Drain("s4", T0 + 200)));
        Assert.Equal(SiloStatus.Draining, m.FindSilo("s4")!.Status);
        Converge(m, T0 + 300, Options);

        Assert.Equal(0, ReplicasOn(m.State, "s4"));
        Assert.Equal([8, 8, 8], new[] { "s1", "s2", "s3" }.Select(s => ReplicasOn(m.State, s)));
        Assert.All(m.DataShards.SelectMany(s => s.Replicas), r => Assert.Equal(ReplicaRole.Voter, r.Role));
        // Draining is not death: the silo is never marked dead by the planner.
        Assert.Equal(SiloStatus.Draining, m.FindSilo("s4")!.Status);
    }

    [Fact]
    public void An_undrained_silo_is_active_again_and_an_active_one_stays_so()
    {
        var m = WithSilos(4);
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Drain("s4", T0 + 200)).Outcome);

        Assert.Equal(new RouterResult(RouterOutcome.Applied), m.Next(RouterCommands.Undrain("s4", T0 + 300)));
        Assert.Equal(SiloStatus.Active, m.FindSilo("s4")!.Status);
        Assert.Equal(new RouterResult(RouterOutcome.Applied), m.Next(RouterCommands.Undrain("s4", T0 + 400)));
        Assert.Equal(SiloStatus.Active, m.FindSilo("s4")!.Status);
    }

    [Fact]
    public void Undrain_refuses_an_unknown_dead_or_removed_silo()
    {
        var m = WithSilos(4);
        m.Next(RouterCommands.MarkDead("s3", m.FindSilo("s3")!.LastHeartbeatMs, T0 + 100));
        m.Next(RouterCommands.Drain("s4", T0 + 200));
        m.Next(RouterCommands.RemoveSilo("s4", T0 + 300));
        var before = m.State.Clone();

        Assert.Equal(RouterRefusals.UnknownSilo, m.Next(RouterCommands.Undrain("s9", T0 + 400)).Reason);
        Assert.Equal(RouterRefusals.NotDraining, m.Next(RouterCommands.Undrain("s3", T0 + 400)).Reason);
        Assert.Equal(RouterRefusals.NotDraining, m.Next(RouterCommands.Undrain("s4", T0 + 400)).Reason);
        Assert.Equal(before, m.State);
    }

    [Fact]
    public void Draining_again_is_accepted_and_changes_nothing()
    {
        var m = WithSilos(4);
        m.Next(RouterCommands.Drain("s4", T0 + 200));
        var before = m.State.Clone();

        Assert.Equal(new RouterResult(RouterOutcome.Applied), m.Next(RouterCommands.Drain("s4", T0 + 300)));
        before.NowMs = T0 + 300;
        Assert.Equal(before, m.State);
    }

    [Fact]
    public void A_draining_silo_that_registers_again_stays_draining()
    {
        var m = WithSilos(4);
        m.Next(RouterCommands.Drain("s4", T0 + 200));

        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Register(Silo("s4", port: 11199), T0 + 300)).Outcome);

        Assert.Equal((SiloStatus.Draining, "s4:11199"), (m.FindSilo("s4")!.Status, m.FindSilo("s4")!.SiloAddress));
    }

    public static TheoryData<string, string> Refusals() => new()
    {
        { "ghost", RouterRefusals.UnknownSilo },
        { "s3", RouterRefusals.SiloNotActive },
        { "s2", RouterRefusals.NoRoomToDrain },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Each_refusal_leaves_the_state_unchanged(string silo, string reason)
    {
        // Three voters per data shard on four silos: s3 dead leaves s1, s2, s4 active; draining
        // any of them would leave two, too few for three voters.
        var m = WithSilos(4);
        Converge(m, T0 + 100, Options);
        m.Next(RouterCommands.MarkDead("s3", m.FindSilo("s3")!.LastHeartbeatMs, T0 + 200));
        var before = m.State.Clone();

        var result = m.Next(RouterCommands.Drain(silo, T0 + 300));

        Assert.Equal(new RouterResult(RouterOutcome.Refused, reason), result);
        Assert.Equal(before, m.State);
    }
}
