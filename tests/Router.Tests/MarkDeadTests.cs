using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class MarkDeadTests
{
    [Fact]
    public void Marks_dead_when_the_heartbeat_seen_is_still_current()
    {
        var m = WithSilos(2);
        var seen = m.FindSilo("s2")!.LastHeartbeatMs;

        var result = m.Next(RouterCommands.MarkDead("s2", seen, T0 + 20_000));

        Assert.Equal(new RouterResult(RouterOutcome.Applied), result);
        Assert.Equal(SiloStatus.Dead, m.FindSilo("s2")!.Status);
        Assert.Equal(seen, m.FindSilo("s2")!.LastHeartbeatMs);
        Assert.Equal(T0 + 20_000, m.State.NowMs);
    }

    [Fact]
    public void A_heartbeat_applied_in_between_wins_the_race()
    {
        var m = WithSilos(2);
        var seen = m.FindSilo("s2")!.LastHeartbeatMs;
        // The planner decided on `seen`; the silo's heartbeat was committed before the verdict.
        var verdict = RouterCommands.MarkDead("s2", seen, T0 + 20_000);
        m.Next(RouterCommands.Heartbeat("s2", [], T0 + 19_999));
        var before = m.State.Clone();

        var result = m.Next(verdict);

        Assert.Equal(new RouterResult(RouterOutcome.Refused, RouterRefusals.HeartbeatSince), result);
        Assert.Equal(SiloStatus.Active, m.FindSilo("s2")!.Status);
        Assert.Equal(before, m.State);
    }

    [Fact]
    public void Already_dead_and_unknown_silos()
    {
        var m = WithSilos(2);
        var seen = m.FindSilo("s2")!.LastHeartbeatMs;
        m.Next(RouterCommands.MarkDead("s2", seen, T0 + 20_000));

        Assert.Equal(new RouterResult(RouterOutcome.Refused, RouterRefusals.AlreadyDead), m.Next(RouterCommands.MarkDead("s2", seen, T0 + 20_001)));
        Assert.Equal(RouterOutcome.UnknownSilo, m.Next(RouterCommands.MarkDead("ghost", 0, T0 + 20_002)).Outcome);
    }
}
