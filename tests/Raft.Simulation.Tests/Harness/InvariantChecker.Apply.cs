namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// State machine safety: no two replicas apply different entries at one index, and every replica
/// holds the same state at the same applied index. The first application of each index anywhere
/// defines the canonical history; acknowledged writes are the ids in it.
/// </summary>
public sealed partial class InvariantChecker
{
    private readonly List<Entry> _appliedAt = [];
    private readonly List<ulong> _digestAt = [];
    private readonly List<int> _countAt = [];
    private readonly List<ulong> _canonicalIds = [];
    private readonly HashSet<ulong> _canonicalSet = [];
    private ulong _canonicalDigest;

    /// <summary>Acknowledged writes (applied by some replica), in the order the group applied them.</summary>
    public IReadOnlyList<ulong> AcknowledgedIds => _canonicalIds;

    /// <summary>The highest index any replica applied.</summary>
    public ulong AppliedIndex => (ulong)_appliedAt.Count;

    public bool IsAcknowledged(ulong id) => _canonicalSet.Contains(id);

    public void OnApplied(SimNode n, in Entry e)
    {
        var i = e.Index;
        if (i > n.Running.Committed)
        {
            throw Fail($"member {n.Id} applied {e} beyond its commit {n.Running.Committed}");
        }

        if (i <= (ulong)_appliedAt.Count)
        {
            var first = _appliedAt[(int)i - 1];
            if (first != e)
            {
                throw Fail($"member {n.Id} applied {e} at {i} where {first} was applied before");
            }
        }
        else if (i == (ulong)_appliedAt.Count + 1)
        {
            _appliedAt.Add(e);
            RecordCommitted(n, i, e.Term);
            var id = e.Type == EntryType.Normal ? Payload.IdOf(e.Data.Span) : 0;
            if (id != 0 && _canonicalSet.Add(id))
            {
                _canonicalIds.Add(id);
                _canonicalDigest = StateMachine.Mix(_canonicalDigest, id);
            }

            _digestAt.Add(_canonicalDigest);
            _countAt.Add(_canonicalIds.Count);
        }
        else
        {
            throw Fail($"member {n.Id} applied {i} before any replica applied {_appliedAt.Count + 1}");
        }

        CheckStateAt(n, i, "apply");
    }

    public void OnSnapshotInstalled(SimNode n, Snapshot s)
    {
        if (s.Index > (ulong)_appliedAt.Count || _appliedAt[(int)s.Index - 1].Term != s.Term)
        {
            throw Fail($"member {n.Id} installed {s}, which no replica applied");
        }

        CheckStateAt(n, s.Index, "snapshot install");
    }

    /// <summary>The member's application equals the canonical state at <paramref name="index"/>.</summary>
    private void CheckStateAt(SimNode n, ulong index, string when)
    {
        var sm = n.StateMachine;
        if (index == 0)
        {
            if (sm.Count != 0)
            {
                throw Fail($"member {n.Id} holds {sm.Count} ids at index 0 ({when})");
            }

            return;
        }

        if (index > (ulong)_digestAt.Count)
        {
            throw Fail($"member {n.Id} is at applied {index} ({when}), beyond anything applied ({_digestAt.Count})");
        }

        var k = (int)index - 1;
        if (sm.AppliedIndex != index || sm.Count != _countAt[k] || sm.Digest != _digestAt[k])
        {
            throw Fail($"member {n.Id} state at {index} ({when}) differs from the group's: {sm.Count} ids vs {_countAt[k]}");
        }
    }

    /// <summary>Whether every running member of the leader's configuration applied everything committed.</summary>
    public bool Converged(out string why)
    {
        var l = _cluster.Leader;
        if (l is null)
        {
            why = "no leader";
            return false;
        }

        var commit = l.Running.Committed;
        if (commit < GlobalCommit || commit != l.Running.LastIndex)
        {
            why = $"leader {l.Id} at commit {commit}, last {l.Running.LastIndex}, group commit {GlobalCommit}";
            return false;
        }

        foreach (var id in SimCluster.AllIds(l.ConfState))
        {
            if (!_cluster.Nodes.TryGetValue(id, out var n) || n.Raw is null)
            {
                why = $"member {id} is not running";
                return false;
            }

            if (n.StateMachine.AppliedIndex != commit || n.Raw.Committed != commit)
            {
                why = $"member {id} applied {n.StateMachine.AppliedIndex} of {commit}";
                return false;
            }
        }

        why = "";
        return true;
    }

    /// <summary>
    /// The end of a run: every member of the final configuration holds exactly the acknowledged
    /// writes, each once, in the group's order, and their logs agree.
    /// </summary>
    public void AssertConverged()
    {
        if (!Converged(out var why))
        {
            throw Fail($"the group did not converge: {why}");
        }

        CheckLogsDeep();
        var l = _cluster.Leader!;
        foreach (var id in SimCluster.AllIds(l.ConfState))
        {
            var ids = _cluster[id].StateMachine.Ids;
            if (ids.Count != _canonicalIds.Count)
            {
                throw Fail($"member {id} holds {ids.Count} writes, {_canonicalIds.Count} were acknowledged");
            }

            for (var i = 0; i < ids.Count; i++)
            {
                if (ids[i] != _canonicalIds[i])
                {
                    throw Fail($"member {id} holds write {ids[i]} at position {i}, the group applied {_canonicalIds[i]}");
                }
            }
        }
    }
}
