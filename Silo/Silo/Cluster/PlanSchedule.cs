using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Router;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// What the router's planner read at one planning, besides the clock it only stamps commands with.
/// </summary>
/// <param name="ChangedAtIndex">The router state's <see cref="RouterStateMachine.ChangedAtIndex"/>.</param>
/// <param name="DeadNames">The silos Orleans' membership listed as dead.</param>
/// <param name="Away">The silos silent for longer than the down time (<see cref="RouterPlanner.IsAway"/>).</param>
internal sealed record PlanInputs(ulong ChangedAtIndex, IReadOnlySet<string> DeadNames, IReadOnlySet<string> Away)
{
    /// <summary>The inputs of a planning now.</summary>
    /// <param name="state">The router state planned on.</param>
    /// <param name="changedAtIndex">Its change index.</param>
    /// <param name="deadNames">The silos Orleans lists as dead.</param>
    /// <param name="nowMs">The clock.</param>
    /// <param name="watchingSinceMs">Since when this silo has been the router's leader.</param>
    /// <param name="downTimeMs">The planner's down time.</param>
    public static PlanInputs Of(RouterState state, ulong changedAtIndex, IReadOnlySet<string> deadNames, long nowMs, long watchingSinceMs, long downTimeMs)
    {
        ArgumentNullException.ThrowIfNull(state);
        var away = new HashSet<string>(StringComparer.Ordinal);
        foreach (var silo in state.Silos)
        {
            if (RouterPlanner.IsAway(silo, nowMs, watchingSinceMs, downTimeMs))
            {
                away.Add(silo.SiloId);
            }
        }

        return new PlanInputs(changedAtIndex, deadNames, away);
    }
}

/// <summary>
/// When the router's leader runs its planner, which walks every shard (at 10,000 shards about
/// 20 ms and 20 MB of garbage a run). Its output depends only on the state, Orleans' dead silos and
/// which silos are away past the down time; so once a planning proposed nothing, planning again
/// with the same inputs would propose nothing again, and is skipped, except every
/// <see cref="QuietIntervalMs"/> as a safety net. A planning that proposed something is repeated
/// at the caller's pace (its commands may have been lost or refused).
/// </summary>
internal static class PlanSchedule
{
    /// <summary>The longest time between two plannings.</summary>
    public const long QuietIntervalMs = 10_000;

    /// <param name="last">The inputs of the last planning; null if there was none (or this silo stopped leading since).</param>
    /// <param name="lastProposedNothing">Whether the last planning proposed no command.</param>
    /// <param name="lastPlannedMs">When the last planning ran.</param>
    /// <param name="now">The inputs now.</param>
    /// <param name="nowMs">The clock.</param>
    /// <returns>Whether to run the planner.</returns>
    public static bool Due(PlanInputs? last, bool lastProposedNothing, long lastPlannedMs, PlanInputs now, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(now);
        return last is null || !lastProposedNothing || nowMs - lastPlannedMs >= QuietIntervalMs
               || last.ChangedAtIndex != now.ChangedAtIndex || !last.DeadNames.SetEquals(now.DeadNames) || !last.Away.SetEquals(now.Away);
    }
}
