namespace MultiRaft.Raft.Tests.Fixtures;

/// <summary>
/// A copy of one <see cref="Ready"/>: the Ready's spans die at Advance, and tests want to look
/// at what a member was told to do after it has done it.
/// </summary>
internal sealed record ReadyView(
    SoftState? SoftState,
    HardState? HardState,
    Entry[] Entries,
    Snapshot? Snapshot,
    Message[] Messages,
    Message[] PersistedMessages,
    Entry[] CommittedEntries,
    ReadState[] ReadStates,
    bool MustSync)
{
    public static ReadyView Of(Ready rd) => new(
        rd.SoftState, rd.HardState, rd.Entries.ToArray(), rd.Snapshot, rd.Messages.ToArray(),
        rd.PersistedMessages.ToArray(), rd.CommittedEntries.ToArray(), rd.ReadStates.ToArray(), rd.MustSync);

    /// <summary>Everything to send, in the order a transport would send it.</summary>
    public IEnumerable<Message> Outgoing => Messages.Concat(PersistedMessages);
}
