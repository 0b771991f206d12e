namespace MultiRaft.Raft;

/// <summary>
/// <see cref="IRaftStorage"/> held in memory: the reference implementation, used by tests, the
/// benchmark and as the in-memory storage provider. Not thread-safe; one owner at a time.
/// </summary>
public sealed class MemoryStorage : IRaftStorage
{
    private readonly EntryRing _entries = new();
    private HardState _hardState;
    private Snapshot _snapshot = Snapshot.Empty;
    private ConfState _confState = ConfState.Empty;

    // The entry before the first held one, known by index and term only. Entries are held from
    // _compactIndex + 1 on; the latest snapshot may lie before or at _compactIndex, never after
    // what the caller compacted once the snapshot was made.
    private ulong _compactIndex;
    private ulong _compactTerm;

    /// <summary>An empty storage for a member that will learn its membership from a snapshot.</summary>
    public MemoryStorage()
    {
    }

    /// <summary>
    /// A storage whose membership is <paramref name="initial"/> before any entry: convenient for a
    /// static group in tests. A group that will add members must start with
    /// <see cref="Bootstrapped"/> instead, so that new members learn the membership from a snapshot.
    /// </summary>
    public MemoryStorage(ConfState initial) => _confState = initial;

    /// <summary>A storage holding <see cref="Bootstrap"/>'s initial snapshot and hard state.</summary>
    public static MemoryStorage Bootstrapped(ConfState membership)
    {
        var s = new MemoryStorage();
        s.ApplySnapshot(Bootstrap.InitialSnapshot(membership));
        s.SetHardState(Bootstrap.InitialHardState);
        return s;
    }

    /// <summary>The persisted hard state.</summary>
    public HardState HardState => _hardState;

    /// <inheritdoc />
    public (HardState HardState, ConfState ConfState) InitialState() => (_hardState, _confState);

    /// <summary>Records the hard state.</summary>
    public void SetHardState(HardState hs) => _hardState = hs;

    /// <summary>Records the membership the application applied (so a restart sees it).</summary>
    public void SetConfState(ConfState cs) => _confState = cs;

    /// <inheritdoc />
    public ulong FirstIndex => _compactIndex + 1;

    /// <inheritdoc />
    public ulong LastIndex => _compactIndex + (ulong)_entries.Count;

    /// <summary>Entries held (for tests).</summary>
    public int EntryCount => _entries.Count;

    /// <summary>Entries the in-memory ring has room for (tests check it is sized once, not doubled).</summary>
    internal int EntryCapacity => _entries.Capacity;

    /// <inheritdoc />
    public bool TryGetTerm(ulong index, out ulong term)
    {
        if (index == _compactIndex)
        {
            term = _compactTerm;
            return true;
        }

        if (index < _compactIndex || index > LastIndex)
        {
            term = 0;
            return false;
        }

        term = _entries[(int)(index - _compactIndex - 1)].Term;
        return true;
    }

    /// <inheritdoc />
    public void GetEntries(ulong lo, ulong hi, long maxSize, List<Entry> into)
    {
        if (lo < FirstIndex || hi > LastIndex + 1 || lo > hi)
        {
            throw new ArgumentOutOfRangeException(nameof(lo), $"entries [{lo}, {hi}) outside [{FirstIndex}, {LastIndex + 1})");
        }

        long size = 0;
        for (var i = lo; i < hi; i++)
        {
            ref readonly var e = ref _entries[(int)(i - _compactIndex - 1)];
            size += e.Size;
            if (size > maxSize && i > lo)
            {
                return;
            }

            into.Add(e);
        }
    }

    /// <inheritdoc />
    public Snapshot? GetSnapshot() => _snapshot;

    /// <summary>
    /// Appends entries, replacing any held entries at or after the first new index (a follower
    /// overwriting an uncommitted tail). Entries already compacted away are skipped.
    /// </summary>
    public void Append(ReadOnlySpan<Entry> entries)
    {
        if (entries.IsEmpty)
        {
            return;
        }

        var first = entries[0].Index;
        if (first + (ulong)entries.Length - 1 < FirstIndex)
        {
            return;
        }

        if (first < FirstIndex)
        {
            entries = entries[(int)(FirstIndex - first)..];
            first = FirstIndex;
        }

        if (first > LastIndex + 1)
        {
            throw new ArgumentException($"missing log entries: last held {LastIndex}, appending from {first}");
        }

        _entries.Truncate((int)(first - FirstIndex));
        // Room for all of them at once: a restarted silo appends each replica's recovered log in
        // one call, and doubling from 4 entries was 47 MB of garbage at 10,000 replicas.
        _entries.EnsureCapacity(_entries.Count + entries.Length);
        foreach (ref readonly var e in entries)
        {
            _entries.Add(e);
        }
    }

    /// <summary>
    /// Shrinks the entry buffer to fit the entries held, for a replica gone idle: the buffer grew
    /// while the log was busy, and compaction frees entries but not the room they took.
    /// </summary>
    public void TrimBuffers() => _entries.TrimExcess();

    /// <summary>Replaces everything with <paramref name="snapshot"/> (a follower installing one).</summary>
    public void ApplySnapshot(Snapshot snapshot)
    {
        if (snapshot.Index < _snapshot.Index)
        {
            throw new ArgumentException($"snapshot {snapshot.Index} is older than the held one ({_snapshot.Index})");
        }

        _snapshot = snapshot;
        _confState = snapshot.ConfState;
        _compactIndex = snapshot.Index;
        _compactTerm = snapshot.Term;
        _entries.Clear();
    }

    /// <summary>
    /// Records a snapshot at <paramref name="index"/> (applied by the caller) with the given image
    /// and membership. Entries are kept until <see cref="Compact"/>.
    /// </summary>
    public Snapshot CreateSnapshot(ulong index, ConfState cs, ReadOnlyMemory<byte> data)
    {
        if (index <= _snapshot.Index)
        {
            return _snapshot;
        }

        if (index > LastIndex || !TryGetTerm(index, out var term))
        {
            throw new ArgumentException($"snapshot index {index} is outside the held entries [{_compactIndex}, {LastIndex}]");
        }

        _snapshot = new Snapshot(index, term, cs, data);
        return _snapshot;
    }

    /// <summary>
    /// Discards entries up to <paramref name="compactIndex"/>, keeping its term as the boundary.
    /// The caller compacts only what a snapshot covers, so a lagging follower can still be sent one.
    /// </summary>
    public void Compact(ulong compactIndex)
    {
        if (compactIndex <= _compactIndex)
        {
            return;
        }

        if (compactIndex > LastIndex)
        {
            throw new ArgumentException($"compact {compactIndex} is beyond the last entry {LastIndex}");
        }

        TryGetTerm(compactIndex, out var term);
        _entries.RemoveFirst((int)(compactIndex - _compactIndex));
        _compactIndex = compactIndex;
        _compactTerm = term;
    }
}
