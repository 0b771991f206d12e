namespace MultiRaft.Raft;

/// <summary>
/// A member's view of its log: the stable part in <see cref="IRaftStorage"/> followed by the
/// unstable part. Invariants: applied &lt;= committed &lt;= lastIndex; committed entries are
/// never replaced.
/// </summary>
internal sealed class RaftLog
{
    private readonly IRaftStorage _storage;
    private readonly UnstableLog _unstable;

    // The last slice handed out for an append message, shared by every follower that needs the
    // same range: the leader never rewrites its own log, and any truncation drops the cache.
    // _cachedEnd is the log's end when it was cut; a slice cut short by the size cap stays
    // right while the log only grows, so followers catching up share it too.
    private ulong _cachedLo;
    private ulong _cachedHi;
    private ulong _cachedEnd;
    private long _cachedMaxSize;
    private Entry[]? _cached;

    public RaftLog(IRaftStorage storage, long maxCommittedSizePerReady)
    {
        _storage = storage;
        MaxCommittedSizePerReady = maxCommittedSizePerReady == 0 ? long.MaxValue : maxCommittedSizePerReady;
        var first = storage.FirstIndex;
        var last = storage.LastIndex;
        _unstable = new UnstableLog(last + 1);
        Committed = first - 1;
        Applied = first - 1;
    }

    public long MaxCommittedSizePerReady { get; }

    /// <summary>The highest index known to be committed.</summary>
    public ulong Committed { get; private set; }

    /// <summary>The highest index the application has applied.</summary>
    public ulong Applied { get; private set; }

    public UnstableLog Unstable => _unstable;

    public ulong FirstIndex => _unstable.TryFirstIndex(out var i) ? i : _storage.FirstIndex;

    public ulong LastIndex => _unstable.TryLastIndex(out var i) ? i : _storage.LastIndex;

    public ulong LastTerm
    {
        get
        {
            TryTerm(LastIndex, out var t);
            return t;
        }
    }

    /// <summary>The term at <paramref name="index"/>; false when compacted or beyond the log.</summary>
    public bool TryTerm(ulong index, out ulong term)
    {
        if (_unstable.TryTerm(index, out term))
        {
            return true;
        }

        // The unstable part answers for everything at or after its offset.
        if (index >= _unstable.Offset || (_unstable.Snapshot is not null && index < _unstable.Offset))
        {
            term = 0;
            return false;
        }

        return _storage.TryGetTerm(index, out term);
    }

    /// <summary>The term at index, or 0 when unknown (compacted or beyond the log).</summary>
    public ulong TermOrZero(ulong index) => TryTerm(index, out var t) ? t : 0;

    public bool MatchTerm(ulong index, ulong term) => TryTerm(index, out var t) && t == term;

    /// <summary>§5.4.1: a candidate's log is at least as up to date as ours.</summary>
    public bool IsUpToDate(ulong lastIndex, ulong term) =>
        term > LastTerm || (term == LastTerm && lastIndex >= LastIndex);

    /// <summary>
    /// A follower's append: if our log matches (index, logTerm), append what is new, replacing a
    /// conflicting tail, and advance commit. Returns the index of the last new entry, or null.
    /// </summary>
    public ulong? MaybeAppend(ulong index, ulong logTerm, ulong committed, Entry[] ents)
    {
        if (!MatchTerm(index, logTerm))
        {
            return null;
        }

        var lastNew = index + (ulong)ents.Length;
        var ci = FindConflict(ents);
        if (ci != 0)
        {
            if (ci <= Committed)
            {
                throw new RaftInvariantException($"entry {ci} conflicts with committed entry (committed {Committed})");
            }

            Append(ents.AsSpan((int)(ci - index - 1)));
        }

        CommitTo(Math.Min(committed, lastNew));
        return lastNew;
    }

    /// <summary>Appends entries that follow on from the log (or replace its uncommitted tail).</summary>
    public ulong Append(ReadOnlySpan<Entry> ents)
    {
        if (ents.IsEmpty)
        {
            return LastIndex;
        }

        if (ents[0].Index - 1 < Committed)
        {
            throw new RaftInvariantException($"append after {ents[0].Index - 1} is before committed {Committed}");
        }

        if (ents[0].Index != LastIndex + 1)
        {
            _cached = null;
        }

        _unstable.TruncateAndAppend(ents);
        return LastIndex;
    }

    /// <summary>The leader's own append of one new entry.</summary>
    public void AppendOne(in Entry e) => _unstable.Append(e);

    /// <summary>
    /// The index of the first entry whose term differs from ours, or of the first new entry; 0 when
    /// all are present already.
    /// </summary>
    public ulong FindConflict(Entry[] ents)
    {
        foreach (ref readonly var e in ents.AsSpan())
        {
            if (!MatchTerm(e.Index, e.Term))
            {
                return e.Index;
            }
        }

        return 0;
    }

    /// <summary>
    /// The last index at or below <paramref name="index"/> whose term is at most
    /// <paramref name="term"/>, and that term (0 if compacted): where the two logs may still agree.
    /// </summary>
    public (ulong Index, ulong Term) FindConflictByTerm(ulong index, ulong term)
    {
        for (; index > 0; index--)
        {
            if (!TryTerm(index, out var t))
            {
                return (index, 0);
            }

            if (t <= term)
            {
                return (index, t);
            }
        }

        return (0, 0);
    }

    public void CommitTo(ulong index)
    {
        if (index <= Committed)
        {
            return;
        }

        if (index > LastIndex)
        {
            throw new RaftInvariantException($"commit {index} is beyond the last index {LastIndex}");
        }

        Committed = index;
    }

    /// <summary>§5.4.2: commit only an entry of the current term counted by a quorum.</summary>
    public bool MaybeCommit(ulong index, ulong term)
    {
        if (index > Committed && TryTerm(index, out var t) && t == term)
        {
            CommitTo(index);
            return true;
        }

        return false;
    }

    public void AppliedTo(ulong index)
    {
        if (index == 0)
        {
            return;
        }

        if (index > Committed || index < Applied)
        {
            throw new RaftInvariantException($"applied {index} outside [{Applied}, {Committed}]");
        }

        Applied = index;
    }

    public void StableTo(ulong index, ulong term) => _unstable.StableTo(index, term);

    public void StableSnapTo(ulong index) => _unstable.StableSnapTo(index);

    public bool HasPendingSnapshot => _unstable.Snapshot is not null;

    /// <summary>A follower installs a snapshot: everything before it is replaced.</summary>
    public void Restore(Snapshot s)
    {
        _cached = null;
        Committed = s.Index;
        _unstable.Restore(s);
    }

    /// <summary>
    /// Lets go of what an idle log holds for speed: the last append slice (shared by followers
    /// catching up, but kept alive by nothing else once sent) and an empty unstable buffer.
    /// </summary>
    public void TrimBuffers()
    {
        _cached = null;
        _unstable.TrimExcess();
    }

    /// <summary>The latest snapshot: the unstable one, else storage's (null when not ready).</summary>
    public Snapshot? GetSnapshot() => _unstable.Snapshot ?? _storage.GetSnapshot();

    public bool HasNextCommittedEntries => !HasPendingSnapshot && Committed > Math.Max(Applied, FirstIndex - 1);

    /// <summary>Committed entries not yet applied, up to the per-Ready size cap, into <paramref name="into"/>.</summary>
    public void NextCommittedEntries(List<Entry> into)
    {
        if (!HasNextCommittedEntries)
        {
            return;
        }

        var lo = Math.Max(Applied + 1, FirstIndex);
        Slice(lo, Committed + 1, MaxCommittedSizePerReady, into);
    }

    /// <summary>
    /// Entries from <paramref name="lo"/> up to the end of the log, at most <paramref name="maxSize"/>
    /// bytes (at least one), as an array a message may own; null when lo is compacted away.
    /// </summary>
    public Entry[]? EntriesFrom(ulong lo, long maxSize)
    {
        var hi = LastIndex + 1;
        if (lo < FirstIndex)
        {
            return null;
        }

        if (lo >= hi)
        {
            return [];
        }

        if (_cached is not null && _cachedLo == lo && _cachedMaxSize == maxSize
            && (_cachedHi == hi || _cachedHi < _cachedEnd))
        {
            return _cached;
        }

        var scratch = SliceScratch.Take();
        Entry[] a;
        try
        {
            Slice(lo, hi, maxSize, scratch);
            a = scratch.ToArray();
        }
        finally
        {
            SliceScratch.Return(scratch);
        }

        _cachedLo = lo;
        _cachedHi = lo + (ulong)a.Length;
        _cachedEnd = hi;
        _cachedMaxSize = maxSize;
        _cached = a;
        return a;
    }

    /// <summary>Entries [lo, hi) into <paramref name="into"/>, from storage then the unstable part.</summary>
    public void Slice(ulong lo, ulong hi, long maxSize, List<Entry> into)
    {
        if (lo < FirstIndex || hi > LastIndex + 1)
        {
            throw new RaftInvariantException($"slice [{lo}, {hi}) outside [{FirstIndex}, {LastIndex + 1})");
        }

        var start = into.Count;
        // Room for the whole range at once, up to a bound (the size cap may stop it short): a
        // restarted replica's first Ready applies its recovered log, and doubling from 4 entries
        // was 46 MB of garbage over 10,000 replicas.
        into.EnsureCapacity(start + (int)Math.Min(hi - lo, (ulong)Oversized.MinSlots));
        long size = 0;
        if (lo < _unstable.Offset)
        {
            var storageHi = Math.Min(hi, _unstable.Offset);
            _storage.GetEntries(lo, storageHi, maxSize, into);
            for (var i = start; i < into.Count; i++)
            {
                size += into[i].Size;
            }

            // Storage stopped early: the size cap is reached.
            if ((ulong)(into.Count - start) < storageHi - lo)
            {
                return;
            }
        }

        for (var i = Math.Max(lo, _unstable.Offset); i < hi; i++)
        {
            ref readonly var e = ref _unstable.At(i);
            size += e.Size;
            if (size > maxSize && into.Count > start)
            {
                return;
            }

            into.Add(e);
        }
    }
}
