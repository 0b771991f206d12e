namespace MultiRaft.Client;

/// <summary>
/// One exactly-once session on one shard. Held by at most one write at a time (it is taken from
/// its pool), so its sequence needs no lock.
/// </summary>
/// A session reused after a restart starts after <paramref name="lastSequence"/> (see <see cref="SessionFile"/>).
internal sealed class WriteSession(ulong shardId, ulong sessionId, ulong lastSequence = 0)
{
    public ulong ShardId { get; } = shardId;

    public ulong SessionId { get; } = sessionId;

    public ulong LastSequence { get; private set; } = lastSequence;

    /// <summary>
    /// A client-named session no shard has answered yet: its first write opens it, and a refusal
    /// of that write means the id cannot be opened (not that a session expired).
    /// </summary>
    public bool Unopened { get; set; }

    public ulong NextSequence() => ++LastSequence;
}
