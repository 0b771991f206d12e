namespace MultiRaft.Client;

/// <summary>
/// One exactly-once session on one shard. Held by at most one write at a time (it is taken from
/// its pool), so its sequence needs no lock.
/// </summary>
internal sealed class WriteSession(ulong shardId, ulong sessionId)
{
    public ulong ShardId { get; } = shardId;

    public ulong SessionId { get; } = sessionId;

    public ulong LastSequence { get; private set; }

    public ulong NextSequence() => ++LastSequence;
}
