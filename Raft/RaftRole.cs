namespace MultiRaft.Raft;

/// <summary>A member's role in its group.</summary>
public enum RaftRole : byte
{
    /// <summary>Follows a leader, or waits for one.</summary>
    Follower,

    /// <summary>Asks for pre-votes without raising its term (PreVote, Raft thesis §9.6).</summary>
    PreCandidate,

    /// <summary>Asks for votes in a new term.</summary>
    Candidate,

    /// <summary>Leads the group for its term.</summary>
    Leader,
}

/// <summary>State that is not persisted: who leads, and in what role this member is.</summary>
public readonly record struct SoftState(ulong Lead, RaftRole Role);
