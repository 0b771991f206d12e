namespace MultiRaft.Raft;

/// <summary>
/// How a new group starts. Every initial member persists the same snapshot at index 1 (term 1)
/// holding the initial membership, and the matching hard state. Because the log then starts
/// after a snapshot, a member added later (with empty storage) always receives the membership
/// in a snapshot first and replays only the changes made after it, so it never sees a
/// membership change applied to an empty configuration.
/// </summary>
public static class Bootstrap
{
    /// <summary>The index of the bootstrap snapshot.</summary>
    public const ulong Index = 1;

    /// <summary>The term of the bootstrap snapshot.</summary>
    public const ulong Term = 1;

    /// <summary>The snapshot each initial member persists; the application state it holds is empty.</summary>
    public static Snapshot InitialSnapshot(ConfState membership)
    {
        ArgumentNullException.ThrowIfNull(membership);
        if (membership.Voters.Count == 0)
        {
            throw new ArgumentException("a group needs at least one voter to start", nameof(membership));
        }

        return new Snapshot(Index, Term, membership, ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>The hard state that goes with <see cref="InitialSnapshot"/>.</summary>
    public static HardState InitialHardState => new(Term, 0, Index);
}
