using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Replica;
using MultiRaft.Grains.Router;
using MultiRaft.Silo.Engine;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// The silo's reports to the router (heartbeats): its liveness every heartbeat interval, with the
/// hints of the shards it leads that the router's state does not show as they are
/// (<see cref="LeaderReport"/>), and every shard it leads in the first report after it starts and
/// every <see cref="LeaderReport.FullReportIntervalMs"/>. Comparing with the applied state rather
/// than with what was sent makes a lost report, a new router leader or a restart of this silo
/// harmless: whatever the router did not apply still differs and goes with the next report.
/// </summary>
internal sealed partial class SiloCluster
{
    private long _lastHeartbeatMs;
    // The engine's change count and the map's ChangedAtIndex when the leaders here last differed
    // from the router's state in nothing: until one of them moves, neither do the differences,
    // and while the map stands still only the replicas changed since can come to differ.
    private long _hintsSettledAtChange = -1;
    private ulong _hintsSettledAtMap;
    private readonly List<ReplicaMember> _changedSinceReport = [];
    // 0 until the first full report: a silo that (re)starts reports everything it leads.
    private long _lastFullReportMs;

    // One report at a time: reports sent faster than the router applies them (thousands of
    // shards, a busy meta shard) would only pile up in its log. A report is done once the router's
    // state shows it, or lost after an interval.
    private void ReportToRouter(RouterStateMachine view, long now, bool due)
    {
        var reporting = (view.FindSilo(options.SiloId)?.LastHeartbeatMs ?? 0) < _lastHeartbeatMs && !due;
        if (reporting)
        {
            return;
        }

        var full = due && now - _lastFullReportMs >= LeaderReport.FullReportIntervalMs;
        var changes = engine.Changes;
        var sameMap = _hintsSettledAtChange >= 0 && view.ChangedAtIndex == _hintsSettledAtMap;
        var settled = !full && sameMap && changes == _hintsSettledAtChange;
        List<LeaderHint>? hints = null;
        var urgent = false;
        if (!settled)
        {
            // Taken after the count was read: every change it includes is marked by now.
            _changedSinceReport.Clear();
            engine.TakeChanged(ChangeReader.Report, _changedSinceReport);
            (hints, urgent) = full ? CollectHints(engine.Replicas, view, all: true)
                : CollectHints(sameMap ? _changedSinceReport : engine.Replicas, view, all: false);
        }

        if (!full && hints is null)
        {
            _hintsSettledAtChange = changes;
            _hintsSettledAtMap = view.ChangedAtIndex;
        }
        else if (!settled)
        {
            // What differs now is looked for among every leader until nothing does.
            _hintsSettledAtChange = -1;
        }

        // A shard whose leader or configuration the router has not heard of is reported at once:
        // the planner starts the next step of a move only when it sees the last one done, so a
        // move would otherwise wait up to a heartbeat interval per step.
        if (!due && !urgent)
        {
            return;
        }

        _lastHeartbeatMs = now;
        if (full)
        {
            _lastFullReportMs = now;
        }

        hints?.Sort((a, b) => a.ShardId.CompareTo(b.ShardId));
        // A lost heartbeat is replaced by the next.
        ForwardToRouter(RouterCommands.Heartbeat(options.SiloId, hints ?? [], now));
    }

    // The hints of the shards led here: all of them, or those the router's state does not show
    // as they are; urgent when one of those is a data shard's.
    private (List<LeaderHint>? Hints, bool Urgent) CollectHints(IEnumerable<ReplicaMember> replicas, RouterStateMachine view, bool all)
    {
        List<LeaderHint>? hints = null;
        var urgent = false;
        foreach (var g in replicas)
        {
            // Read off the worker: a stale role only makes the report late, or lists a shard the
            // router then keeps a newer hint of.
            if (!g.IsLeader)
            {
                continue;
            }

            var facts = LeaderFacts.Of(g);
            if (all)
            {
                (hints ??= []).Add(facts.ToHint(options.SiloId));
            }
            else if (view.FindShard(g.ShardId) is not null
                     && LeaderReport.Differs(view.FindLeader(g.ShardId), facts, options.SiloId, options.SplitKeys, options.SplitBytes))
            {
                (hints ??= []).Add(facts.ToHint(options.SiloId));
                urgent |= LeaderReport.Urgent(g.ShardId);
            }
        }

        return (hints, urgent);
    }
}
