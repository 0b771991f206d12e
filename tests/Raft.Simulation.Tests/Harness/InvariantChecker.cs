namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// The Raft invariants of TESTING.md, checked after every step and at every Ready, apply,
/// snapshot, crash, restart and read. Everything is keyed by index, term or id and looked up,
/// never iterated in hash order, so a run stays reproducible.
/// </summary>
public sealed partial class InvariantChecker
{
    private readonly SimCluster _cluster;
    private readonly Dictionary<ulong, NodeTrack> _tracks = [];
    private readonly List<SimNode> _upScratch = [];

    public InvariantChecker(SimCluster cluster) => _cluster = cluster;

    /// <summary>The highest commit index any member ever knew.</summary>
    public ulong GlobalCommit { get; private set; }

    /// <summary>Elections won, by term (at most one leader per term over the whole run).</summary>
    public int LeadersElected => _leaderOfTerm.Count;

    private sealed class NodeTrack
    {
        public ulong CheckedCommit;
        public ulong DurableSnapshotAtCrash;
    }

    private NodeTrack Track(ulong id)
    {
        if (!_tracks.TryGetValue(id, out var t))
        {
            t = new NodeTrack();
            _tracks.Add(id, t);
        }

        return t;
    }

    /// <summary>Runs the per-step checks over every running member.</summary>
    public void Check()
    {
        _upScratch.Clear();
        foreach (var n in _cluster.Nodes.Values)
        {
            if (n.Raw is null)
            {
                continue;
            }

            _upScratch.Add(n);
            CheckElectionSafety(n);
            TrackCommit(n);
        }

        for (var a = 0; a < _upScratch.Count; a++)
        {
            for (var b = a + 1; b < _upScratch.Count; b++)
            {
                CheckLogMatching(_upScratch[a], _upScratch[b], window: 8);
            }
        }
    }

    /// <summary>A violation: the message names the step and the cluster state so the seed's replay can be read.</summary>
    internal SimulationFailure Fail(string what) => new($"invariant violated: {what}\n  at {_cluster}");

    public void OnCrash(SimNode n) => Track(n.Id).DurableSnapshotAtCrash = n.Storage.DurableSnapshotIndex;

    /// <summary>The restarted member starts from its durable snapshot, which never goes back, and is a state some replica had.</summary>
    public void OnRestart(SimNode n)
    {
        var t = Track(n.Id);
        var applied = n.StateMachine.AppliedIndex;
        if (applied < t.DurableSnapshotAtCrash)
        {
            throw Fail($"member {n.Id} restarted at applied {applied}, behind its durable snapshot {t.DurableSnapshotAtCrash} before the crash");
        }

        if (n.Running.Applied != applied)
        {
            throw Fail($"member {n.Id} restarted with core applied {n.Running.Applied}, application at {applied}");
        }

        CheckStateAt(n, applied, "restart");
        t.CheckedCommit = n.Running.Committed;
    }
}
