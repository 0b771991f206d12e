namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>Members joining and leaving.</summary>
public sealed partial class SimCluster
{
    // Removed members still running, with the index of the change that removed them.
    private readonly SortedDictionary<ulong, ulong> _leaving = [];

    /// <summary>
    /// Starts a new, empty member with a fresh id (ids are never reused, so a wiped disk comes
    /// back under a new id). It takes part once a change adds it, learning the group from a snapshot.
    /// </summary>
    public ulong CreateMember()
    {
        var n = new SimNode(NextNodeId++, ConfState.Empty, Options.DiskIgnoresFsync);
        _nodes.Add(n.Id, n);
        StartMember(n);
        return n.Id;
    }

    private void OnMembershipApplied(SimNode n, ulong index, ConfState before, ConfState after)
    {
        foreach (var id in AllIds(after))
        {
            if (!before.Contains(id))
            {
                n.SnapshotOwed = true;
            }
        }

        foreach (var id in AllIds(before))
        {
            if (!after.Contains(id) && _nodes.TryGetValue(id, out var gone) && !gone.IsRemoved)
            {
                _leaving.TryAdd(id, index);
            }
        }
    }

    /// <summary>
    /// Shuts down for good the members that were removed, once every member of the leader's
    /// configuration has made durable a commit index covering their removal. Not sooner: a member
    /// that does not know the change committed (because it never heard, or because it restarted
    /// from a hard state that predates it) still counts the removed one in its (joint)
    /// configuration, and could never be elected without its vote.
    /// </summary>
    private void ShutDownRemoved()
    {
        if (_leaving.Count == 0 || Leader is not { } l)
        {
            return;
        }

        foreach (var (id, index) in _leaving.ToArray())
        {
            if (l.ConfState.Contains(id) || !AllIds(l.ConfState).All(m => _nodes[m].Storage.DurableCommit >= index))
            {
                continue;
            }

            _leaving.Remove(id);
            var n = _nodes[id];
            n.Stop(removed: true);
            n.Storage.Crash();
        }
    }

    public static IEnumerable<ulong> AllIds(ConfState cs) =>
        cs.Voters.Concat(cs.VotersOutgoing).Concat(cs.Learners).Concat(cs.LearnersNext).Distinct();
}
