namespace MultiRaft.Grains.Kv;

/// <summary>One client's exactly-once record: the last applied sequence and its result.</summary>
internal sealed class ClientSession(ulong clientId, ulong lastSequence, KvResult lastResult, long lastTouchMs)
{
    public ulong ClientId { get; } = clientId;

    /// <summary>Highest sequence applied for this client; 0 before the first.</summary>
    public ulong LastSequence { get; set; } = lastSequence;

    /// <summary>The result of <see cref="LastSequence"/>, returned again to a retry.</summary>
    public KvResult LastResult { get; set; } = lastResult;

    /// <summary>The table's logical time when the client was last heard from.</summary>
    public long LastTouchMs { get; set; } = lastTouchMs;
}
