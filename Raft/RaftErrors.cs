namespace MultiRaft.Raft;

/// <summary>
/// What became of a proposal, a read request or a leadership transfer request. Anything other
/// than <see cref="Accepted"/> means the request was dropped and will never take effect.
/// </summary>
public enum ProposalResult : byte
{
    /// <summary>Appended by the leader, or forwarded to the known leader. It may still fail to commit.</summary>
    Accepted = 0,

    /// <summary>No leader is known; retry once one is elected.</summary>
    NoLeader,

    /// <summary>Leadership is being transferred; retry at the new leader.</summary>
    LeaderTransferInProgress,

    /// <summary>The leader holds too many uncommitted bytes; back off and retry.</summary>
    TooManyUncommittedBytes,

    /// <summary>A follower does not forward proposals (<see cref="RaftConfig.DisableProposalForwarding"/>).</summary>
    ForwardingDisabled,

    /// <summary>This member is not (or no longer) part of the group.</summary>
    NotAMember,

    /// <summary>An earlier membership change is not yet applied; only one may be pending.</summary>
    ConfChangePending,

    /// <summary>The change does not fit the joint state (entering while joint, leaving while not).</summary>
    JointStateMismatch,

    /// <summary>The request was empty.</summary>
    Empty,
}

/// <summary>The base of errors the core throws.</summary>
public class RaftException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RaftException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RaftException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RaftException()
    {
    }
}

/// <summary>A membership change that can never be valid against the current configuration.</summary>
public sealed class InvalidConfChangeException : RaftException
{
    /// <summary>Creates the exception.</summary>
    public InvalidConfChangeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidConfChangeException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidConfChangeException()
    {
    }
}

/// <summary>State handed to the core breaks Raft's rules (for example a committed entry would be overwritten).</summary>
public sealed class RaftInvariantException : RaftException
{
    /// <summary>Creates the exception.</summary>
    public RaftInvariantException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RaftInvariantException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RaftInvariantException()
    {
    }
}
