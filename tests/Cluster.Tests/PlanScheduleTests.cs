using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Silo.Cluster;

namespace MultiRaft.Cluster.Tests;

public sealed class PlanScheduleTests
{
    private const long T0 = 1_700_000_000_000;
    private const long DownTimeMs = 30_000;

    private static readonly IReadOnlySet<string> NoneDead = new HashSet<string>(StringComparer.Ordinal);

    // s1 reports all the time; s2 last reported at s2LastHeartbeatMs.
    private static RouterState State(long nowMs, long s2LastHeartbeatMs) => new()
    {
        Silos =
        {
            new SiloInfo { SiloId = "s1", LastHeartbeatMs = nowMs },
            new SiloInfo { SiloId = "s2", LastHeartbeatMs = s2LastHeartbeatMs },
        },
    };

    private static PlanInputs Inputs(long nowMs, ulong changedAt = 7, IReadOnlySet<string>? dead = null, long s2LastHeartbeatMs = T0) =>
        PlanInputs.Of(State(nowMs, s2LastHeartbeatMs), changedAt, dead ?? NoneDead, nowMs, watchingSinceMs: T0, DownTimeMs);

    [Fact]
    public void The_first_planning_since_leading_runs()
    {
        Assert.True(PlanSchedule.Due(null, lastProposedNothing: true, T0, Inputs(T0 + 1000), T0 + 1000));
    }

    [Fact]
    public void Planning_again_on_the_same_inputs_after_an_empty_plan_is_skipped_until_the_quiet_interval()
    {
        var last = Inputs(T0 + 1000);

        Assert.False(PlanSchedule.Due(last, lastProposedNothing: true, T0 + 1000, Inputs(T0 + 2000), T0 + 2000));
        Assert.False(PlanSchedule.Due(last, lastProposedNothing: true, T0 + 1000, Inputs(T0 + 10_999), T0 + 10_999));
        Assert.True(PlanSchedule.Due(last, lastProposedNothing: true, T0 + 1000, Inputs(T0 + 11_000), T0 + 11_000));
    }

    [Fact]
    public void A_plan_that_proposed_something_is_repeated()
    {
        Assert.True(PlanSchedule.Due(Inputs(T0 + 1000), lastProposedNothing: false, T0 + 1000, Inputs(T0 + 2000), T0 + 2000));
    }

    [Fact]
    public void A_changed_state_runs_the_planner()
    {
        Assert.True(PlanSchedule.Due(Inputs(T0 + 1000), lastProposedNothing: true, T0 + 1000, Inputs(T0 + 2000, changedAt: 8), T0 + 2000));
    }

    [Fact]
    public void A_silo_orleans_declares_dead_runs_the_planner()
    {
        var dead = new HashSet<string>(StringComparer.Ordinal) { "s2" };

        Assert.True(PlanSchedule.Due(Inputs(T0 + 1000), lastProposedNothing: true, T0 + 1000, Inputs(T0 + 2000, dead: dead), T0 + 2000));
    }

    [Fact]
    public void A_silo_going_past_the_down_time_and_one_coming_back_run_the_planner()
    {
        var beforeDownTime = Inputs(T0 + DownTimeMs);
        var pastDownTime = Inputs(T0 + DownTimeMs + 1);
        var back = Inputs(T0 + DownTimeMs + 2, s2LastHeartbeatMs: T0 + DownTimeMs + 2);

        Assert.Empty(beforeDownTime.Away);
        Assert.Equal(["s2"], pastDownTime.Away);
        Assert.Empty(back.Away);
        Assert.True(PlanSchedule.Due(beforeDownTime, lastProposedNothing: true, T0 + DownTimeMs, pastDownTime, T0 + DownTimeMs + 1));
        Assert.True(PlanSchedule.Due(pastDownTime, lastProposedNothing: true, T0 + DownTimeMs + 1, back, T0 + DownTimeMs + 2));
    }
}
