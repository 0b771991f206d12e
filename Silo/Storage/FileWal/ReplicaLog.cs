using MultiRaft.Raft;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// What the provider remembers of one replica without holding its entries: the shape of its log
/// (base, last index, snapshot) to check appends the way the reference provider does, and which
/// records (by position) recovery still needs. Positions number records in log order; the
/// segment list maps them to files. A segment may go once no replica needs a position in it.
///
/// A replica needs: the records holding its live entries (index above its live base), the
/// record holding its current hard state (or, if it never wrote one, its first record: that is
/// what makes it exist), and the record pointing at its current snapshot. The first is
/// <see cref="FirstLivePosition"/>; the other two are small and are copied forward as a
/// checkpoint when their segment is about to go.
/// </summary>
internal sealed class ReplicaLog
{
    // Runs of entries in index order: run k holds [First, next run's First - 1] (the last run up
    // to LastIndex), all written by the record at Position. Later indexes were written later, so
    // positions increase along the list and the first run is the oldest record still needed.
    private readonly List<(ulong First, long Position)> _runs = [];

    public ReplicaLog(long firstPosition) => HardStatePosition = firstPosition;

    public HardState HardState { get; private set; }

    /// <summary>The record holding <see cref="HardState"/> (or the replica's first record).</summary>
    public long HardStatePosition { get; private set; }

    /// <summary>Entries up to here were compacted away or replaced by an installed snapshot.</summary>
    public ulong Base { get; private set; }

    public ulong LastIndex { get; private set; }

    public SnapshotPointer? Snapshot { get; private set; }

    /// <summary>The record holding <see cref="Snapshot"/>.</summary>
    public long SnapshotPosition { get; private set; }

    /// <summary>Entries up to here are not recovered (the snapshot covers them), so their records are not needed.</summary>
    public ulong LiveBase => Math.Max(Base, Snapshot?.Index ?? 0);

    /// <summary>Whether any entry above the live base is held.</summary>
    public bool HasLiveEntries => _runs.Count > 0;

    /// <summary>The records holding live entries: run k holds [First, next run's First - 1], the last up to <see cref="LastIndex"/> (the first may start at or below the live base).</summary>
    public IReadOnlyList<(ulong First, long Position)> Runs => _runs;

    /// <summary>The oldest record holding a live entry, or <see cref="long.MaxValue"/>.</summary>
    public long FirstLivePosition => _runs.Count > 0 ? _runs[0].Position : long.MaxValue;

    /// <summary>
    /// Checks an append as <see cref="MemoryStorage.Append"/> would and returns how many leading
    /// entries are already compacted away (they are not written).
    /// </summary>
    public int Plan(ReplicaId replica, ReadOnlySpan<Entry> entries)
    {
        if (entries.IsEmpty)
        {
            return 0;
        }

        for (var i = 1; i < entries.Length; i++)
        {
            if (entries[i].Index != entries[0].Index + (ulong)i)
            {
                throw new ArgumentException($"{replica}: appended entries are not consecutive at {entries[i].Index}");
            }
        }

        var first = entries[0].Index;
        var last = first + (ulong)entries.Length - 1;
        if (last <= Base)
        {
            return entries.Length;
        }

        var skip = first <= Base ? (int)(Base + 1 - first) : 0;
        if (first + (ulong)skip > LastIndex + 1)
        {
            throw new ArgumentException($"{replica}: missing log entries: last held {LastIndex}, appending from {first}");
        }

        return skip;
    }

    /// <summary>Records an append whose entries are [first, first + count) (already planned).</summary>
    public void Append(long position, HardState? hardState, ulong first, int count)
    {
        if (hardState is { } hs)
        {
            HardState = hs;
            HardStatePosition = position;
        }

        if (count == 0)
        {
            return;
        }

        var keep = _runs.Count;
        while (keep > 0 && _runs[keep - 1].First >= first)
        {
            keep--;
        }

        _runs.RemoveRange(keep, _runs.Count - keep);
        _runs.Add((first, position));
        LastIndex = first + (ulong)count - 1;
        DropDeadRuns();
    }

    public void SnapshotSaved(long position, SnapshotPointer snapshot)
    {
        Snapshot = snapshot;
        SnapshotPosition = position;
        // A snapshot is saved of entries held: the log reaches its index. Said for replay, where
        // the appends of those entries may be in segments already deleted, and the replica's
        // next append continues after the snapshot.
        LastIndex = Math.Max(LastIndex, snapshot.Index);
        DropDeadRuns();
    }

    public void SnapshotInstalled(long position, SnapshotPointer snapshot)
    {
        Snapshot = snapshot;
        SnapshotPosition = position;
        Base = snapshot.Index;
        LastIndex = snapshot.Index;
        _runs.Clear();
    }

    public void Compacted(ulong index)
    {
        Base = Math.Max(Base, index);
        DropDeadRuns();
    }

    /// <summary>A checkpoint restates the small state as of its position; entries stay as they are.</summary>
    public void Checkpoint(long position, HardState hardState, ulong logBase, SnapshotPointer? snapshot)
    {
        HardState = hardState;
        HardStatePosition = position;
        Snapshot = snapshot;
        SnapshotPosition = snapshot is null ? 0 : position;
        Base = Math.Max(Base, logBase);
        LastIndex = Math.Max(LastIndex, Math.Max(Base, snapshot?.Index ?? 0));
        DropDeadRuns();
    }

    private void DropDeadRuns()
    {
        var live = LiveBase;
        var dead = 0;
        while (dead < _runs.Count)
        {
            var end = dead + 1 < _runs.Count ? _runs[dead + 1].First - 1 : LastIndex;
            if (end > live)
            {
                break;
            }

            dead++;
        }

        _runs.RemoveRange(0, dead);
    }
}
