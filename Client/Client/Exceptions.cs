namespace MultiRaft.Client;

/// <summary>Base of the client's errors.</summary>
public class MultiRaftException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MultiRaftException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A conditional write's condition did not hold. Nothing was written.</summary>
public sealed class PreconditionFailedException(string message, ulong currentVersion) : MultiRaftException(message)
{
    /// <summary>The key's version when the write was refused (0 = absent).</summary>
    public ulong CurrentVersion { get; } = currentVersion;
}

/// <summary>
/// A write was sent but whether it applied cannot be known within the deadline. It may have
/// applied once, or not at all; never twice.
/// </summary>
public sealed class OutcomeUnknownException(string message, Exception? inner = null) : MultiRaftException(message, inner);

/// <summary>No quorum or no reachable leader within the deadline. Nothing was written.</summary>
public sealed class UnavailableException(string message, Exception? inner = null) : MultiRaftException(message, inner);

/// <summary>The request was refused as malformed (or too large: see <see cref="IsTooLarge"/>). Nothing was written.</summary>
public sealed class BadRequestException(string message, bool isTooLarge = false) : MultiRaftException(message)
{
    /// <summary>A key or value over the cluster's maximum.</summary>
    public bool IsTooLarge { get; } = isTooLarge;
}

/// <summary>
/// The cluster refused an operator request as it stands (for example draining a silo that is
/// dead, or whose going would leave too few silos). Nothing changed.
/// </summary>
public sealed class OperationRefusedException(string message) : MultiRaftException(message);

/// <summary>A named silo or shard does not exist.</summary>
public sealed class NotFoundException(string message) : MultiRaftException(message);

/// <summary>A grain call came back without an answer: its silo is down, the call timed out or failed in transit.</summary>
public sealed class ReplicaUnreachableException(string message, Exception? inner = null) : MultiRaftException(message, inner)
{
    /// <summary>
    /// The call may have reached the grain (and a write may have been proposed). False only when
    /// it certainly did not run, as when the grain's home silo refused to place it.
    /// </summary>
    public bool MayHaveArrived { get; init; } = true;
}
