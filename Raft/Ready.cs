using System.Runtime.InteropServices;

namespace MultiRaft.Raft;

/// <summary>
/// What a member needs done: persist <see cref="HardState"/>, <see cref="Entries"/> and
/// <see cref="Snapshot"/>; send <see cref="Messages"/> (at once, even while persisting); once
/// the writes are durable send <see cref="PersistedMessages"/>; apply
/// <see cref="CommittedEntries"/> (and install the snapshot); then call
/// <see cref="RawNode.Advance"/>. The lists are reused: they are valid until that call.
/// </summary>
public sealed class Ready
{
    // Empty until first used and reused after: most members of a silo are idle, and a busy one
    // grows them once to its usual batch.
    internal readonly List<Entry> EntriesList = [];
    internal readonly List<Entry> CommittedList = [];
    internal List<Message> MessagesList = [];
    internal readonly List<Message> PersistedList = [];
    internal readonly List<Message> SelfAfterPersist = [];
    internal List<ReadState> ReadStatesList = [];

    /// <summary>The new role or leader, when either changed.</summary>
    public SoftState? SoftState { get; internal set; }

    /// <summary>The hard state to persist, when it changed.</summary>
    public HardState? HardState { get; internal set; }

    /// <summary>Entries to append to stable storage (replacing any stored ones at the same indexes).</summary>
    public ReadOnlySpan<Entry> Entries => CollectionsMarshal.AsSpan(EntriesList);

    /// <summary>A snapshot to persist and install, or null.</summary>
    public Snapshot? Snapshot { get; internal set; }

    /// <summary>Committed entries to apply, in order.</summary>
    public ReadOnlySpan<Entry> CommittedEntries => CollectionsMarshal.AsSpan(CommittedList);

    /// <summary>Messages that may be sent before this Ready's writes are durable.</summary>
    public ReadOnlySpan<Message> Messages => CollectionsMarshal.AsSpan(MessagesList);

    /// <summary>Messages that must wait until this Ready's writes are durable.</summary>
    public ReadOnlySpan<Message> PersistedMessages => CollectionsMarshal.AsSpan(PersistedList);

    /// <summary>Answers to <see cref="RawNode.ReadIndex"/>.</summary>
    public ReadOnlySpan<ReadState> ReadStates => CollectionsMarshal.AsSpan(ReadStatesList);

    /// <summary>
    /// Whether the writes must reach stable storage before <see cref="PersistedMessages"/> go out:
    /// true when entries, a snapshot, or the term or vote changed (a commit change alone need not be synced).
    /// </summary>
    public bool MustSync { get; internal set; }

    internal void Clear()
    {
        SoftState = null;
        HardState = null;
        Snapshot = null;
        MustSync = false;
        Oversized.Clear(EntriesList);
        Oversized.Clear(CommittedList);
        Oversized.Clear(MessagesList);
        Oversized.Clear(PersistedList);
        Oversized.Clear(SelfAfterPersist);
        Oversized.Clear(ReadStatesList);
    }
}
