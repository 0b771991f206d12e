namespace MultiRaft.Raft;

/// <summary>
/// The answer to <see cref="RawNode.ReadIndex"/>: once the application has applied up to
/// <see cref="Index"/>, a read identified by <see cref="RequestId"/> may be served linearizably.
/// </summary>
public readonly record struct ReadState(ulong Index, ulong RequestId);
