using MultiRaft.Raft;

namespace MultiRaft.Storage.Postgres;

/// <summary>
/// Folds a run of appends into one net change per replica, so that a batch is written with one
/// tail deletion, one hard-state upsert and one COPY however many appends it holds. Replaying
/// the appends one by one and writing the net change leave the same rows: every stored entry at
/// or after the lowest first index of the run is deleted, and among the run's own entries a
/// later append's entries replace an earlier one's from its first index on.
/// </summary>
internal sealed class PostgresAppendCoalescer
{
    private readonly Dictionary<ReplicaId, Change> _changes = [];

    /// <summary>The net changes, in the order their replicas first appeared.</summary>
    public IReadOnlyCollection<Change> Changes => _changes.Values;

    public bool IsEmpty => _changes.Count == 0;

    public int EntryCount { get; private set; }

    public void Add(AppendOp op)
    {
        if (!_changes.TryGetValue(op.Replica, out var c))
        {
            c = new Change(op.Replica);
            _changes.Add(op.Replica, c);
        }

        if (op.HardState is { } hs)
        {
            c.HardState = hs;
        }

        if (op.Entries.Length == 0)
        {
            return;
        }

        var first = op.Entries[0].Index;
        c.DeleteFrom = c.DeleteFrom is { } d ? Math.Min(d, first) : first;

        // The run's entries are kept in index order, so the replaced ones form a suffix.
        var keep = c.Entries.Count;
        while (keep > 0 && c.Entries[keep - 1].Index >= first)
        {
            keep--;
        }

        EntryCount -= c.Entries.Count - keep;
        c.Entries.RemoveRange(keep, c.Entries.Count - keep);
        c.Entries.AddRange(op.Entries);
        EntryCount += op.Entries.Length;
    }

    public void Clear()
    {
        _changes.Clear();
        EntryCount = 0;
    }

    /// <summary>One replica's net change within a run of appends.</summary>
    internal sealed class Change(ReplicaId replica)
    {
        public ReplicaId Replica { get; } = replica;

        /// <summary>The last hard state of the run, if any append carried one.</summary>
        public HardState? HardState { get; set; }

        /// <summary>Stored entries at or after this index are deleted; null when the run appended none.</summary>
        public ulong? DeleteFrom { get; set; }

        /// <summary>The entries to insert, in index order.</summary>
        public List<Entry> Entries { get; } = [];
    }
}
