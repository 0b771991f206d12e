namespace MultiRaft.Grains.Kv;

/// <summary>
/// Bounds of the session table. These must be identical on every replica of a shard: expiry is
/// part of the replicated state, so different settings would make replicas diverge.
/// </summary>
/// <param name="SessionTtlMs">A session idle longer than this (in log timestamp milliseconds) is evicted.</param>
/// <param name="MaxSessions">Hard cap on sessions; opening one more evicts the least recently used.</param>
public sealed record KvSessionOptions(long SessionTtlMs = 10 * 60 * 1000, int MaxSessions = 10_000)
{
    /// <summary>Ten minutes of idleness, 10,000 sessions.</summary>
    public static KvSessionOptions Default { get; } = new();

    /// <summary>Throws when a bound is not usable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(SessionTtlMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSessions, 1);
    }
}
