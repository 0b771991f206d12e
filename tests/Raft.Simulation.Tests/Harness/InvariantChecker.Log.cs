namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>Election safety, log matching, commitment and leader completeness.</summary>
public sealed partial class InvariantChecker
{
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];
    private readonly Dictionary<(ulong Index, ulong Term), Entry> _entryAt = [];

    // Term of each committed index (index i at [i - 1]); 0 where not yet seen.
    private readonly List<ulong> _committedTerm = [];

    /// <summary>Every entry any member wrote: one (index, term) is always the same entry.</summary>
    public void OnReady(SimNode n, Ready rd)
    {
        foreach (ref readonly var e in rd.Entries)
        {
            if (_entryAt.TryGetValue((e.Index, e.Term), out var seen))
            {
                if (seen != e)
                {
                    throw Fail($"member {n.Id} wrote {e} but another member holds {seen} at the same index and term");
                }
            }
            else
            {
                _entryAt.Add((e.Index, e.Term), e);
            }
        }
    }

    /// <summary>At most one leader per term, over the whole run; a new leader holds every committed entry.</summary>
    private void CheckElectionSafety(SimNode n)
    {
        var r = n.Raw!;
        if (r.Role != RaftRole.Leader)
        {
            return;
        }

        if (_leaderOfTerm.TryGetValue(r.Term, out var other))
        {
            if (other != n.Id)
            {
                throw Fail($"two leaders in term {r.Term}: {other} and {n.Id}");
            }

            return;
        }

        _leaderOfTerm.Add(r.Term, n.Id);
        CheckLeaderCompleteness(n);
    }

    private void CheckLeaderCompleteness(SimNode n)
    {
        var log = n.Raw!.Raft.Log;
        var from = Math.Max(1UL, log.FirstIndex - 1);
        for (var i = from; i <= (ulong)_committedTerm.Count; i++)
        {
            var want = _committedTerm[(int)i - 1];
            if (want == 0)
            {
                continue;
            }

            if (!log.TryTerm(i, out var t) || t != want)
            {
                throw Fail($"leader {n.Id} of term {n.Raw.Term} lacks committed entry {i} (term {want}); it has term {t}");
            }
        }
    }

    private void TrackCommit(SimNode n)
    {
        var r = n.Raw!;
        var t = Track(n.Id);
        var c = r.Committed;
        if (c > t.CheckedCommit)
        {
            var log = r.Raft.Log;
            for (var i = t.CheckedCommit + 1; i <= c; i++)
            {
                if (log.TryTerm(i, out var term))
                {
                    RecordCommitted(n, i, term);
                }
            }

            t.CheckedCommit = c;
        }

        if (c > GlobalCommit)
        {
            GlobalCommit = c;
        }
    }

    /// <summary>A committed index never changes its entry.</summary>
    private void RecordCommitted(SimNode n, ulong index, ulong term)
    {
        while ((ulong)_committedTerm.Count < index)
        {
            _committedTerm.Add(0);
        }

        var known = _committedTerm[(int)index - 1];
        if (known == 0)
        {
            _committedTerm[(int)index - 1] = term;
        }
        else if (known != term)
        {
            throw Fail($"member {n.Id} committed term {term} at {index}, where term {known} was committed before");
        }
    }

    /// <summary>
    /// Log matching: if two logs hold the same term at an index, they agree on every index before
    /// it. Checked over the last <paramref name="window"/> common indexes each step (the entry
    /// registry covers equality of single entries over the whole run).
    /// </summary>
    private void CheckLogMatching(SimNode a, SimNode b, int window)
    {
        var la = a.Raw!.Raft.Log;
        var lb = b.Raw!.Raft.Log;
        var hi = Math.Min(la.LastIndex, lb.LastIndex);
        var lo = Math.Max(Math.Max(la.FirstIndex, lb.FirstIndex), hi > (ulong)window ? hi - (ulong)window + 1 : 1);
        var matched = false;
        for (var i = hi; i >= lo && i > 0; i--)
        {
            if (!la.TryTerm(i, out var ta) || !lb.TryTerm(i, out var tb))
            {
                return;
            }

            if (ta == tb)
            {
                matched = true;
            }
            else if (matched)
            {
                throw Fail($"logs of {a.Id} and {b.Id} agree on a later index but differ at {i} (terms {ta} and {tb})");
            }
        }
    }

    /// <summary>Log matching over the whole overlap of every pair of running members (at the end of a run).</summary>
    public void CheckLogsDeep()
    {
        var up = _cluster.Running.ToList();
        for (var a = 0; a < up.Count; a++)
        {
            for (var b = a + 1; b < up.Count; b++)
            {
                CheckLogMatching(up[a], up[b], int.MaxValue);
            }
        }
    }
}
