namespace MultiRaft.Raft;

/// <summary>
/// What the core reads of a member's persisted state. The application writes it (from
/// <see cref="Ready"/>); the core only reads. Entries are contiguous from
/// <see cref="FirstIndex"/> to <see cref="LastIndex"/>; the entry before the first is known
/// only by its term (it is the snapshot's).
/// </summary>
public interface IRaftStorage
{
    /// <summary>The persisted hard state and the membership as of the last persisted entry or snapshot.</summary>
    (HardState HardState, ConfState ConfState) InitialState();

    /// <summary>The first index still held as an entry (snapshot index + 1).</summary>
    ulong FirstIndex { get; }

    /// <summary>The last index held (the snapshot's index when no entries follow it).</summary>
    ulong LastIndex { get; }

    /// <summary>
    /// The term of the entry at <paramref name="index"/>, for <paramref name="index"/> in
    /// [<see cref="FirstIndex"/> - 1, <see cref="LastIndex"/>]; false outside that range.
    /// </summary>
    bool TryGetTerm(ulong index, out ulong term);

    /// <summary>
    /// Appends entries [lo, hi) to <paramref name="into"/>, stopping once they exceed
    /// <paramref name="maxSize"/> bytes (but always at least one). The caller keeps lo and hi within
    /// [<see cref="FirstIndex"/>, <see cref="LastIndex"/> + 1].
    /// </summary>
    void GetEntries(ulong lo, ulong hi, long maxSize, List<Entry> into);

    /// <summary>The latest snapshot, or null when one is being made and is not available yet.</summary>
    Snapshot? GetSnapshot();
}
