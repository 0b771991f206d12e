namespace MultiRaft.Raft;

/// <summary>
/// The state a member must persist before it speaks: its term, its vote in that term, and the
/// highest index it knows to be committed.
/// </summary>
public readonly record struct HardState(ulong Term, ulong Vote, ulong Commit)
{
    /// <summary>The state of a member that has never voted nor seen a term.</summary>
    public static HardState Empty => default;

    /// <summary>True when nothing has been recorded.</summary>
    public bool IsEmpty => Term == 0 && Vote == 0 && Commit == 0;
}
