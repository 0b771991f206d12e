namespace MultiRaft.Grains.Kv;

/// <summary>Size limits checked when a command is built or decoded from a client, never by truncation.</summary>
/// <param name="MaxKeyBytes">Largest key accepted, in bytes (at least 1).</param>
/// <param name="MaxValueBytes">Largest value accepted, in bytes (at least 0).</param>
public sealed record KvLimits(int MaxKeyBytes = 4096, int MaxValueBytes = 1024 * 1024)
{
    /// <summary>The defaults: 4 KiB keys, 1 MiB values.</summary>
    public static KvLimits Default { get; } = new();

    /// <summary>
    /// No size limit beyond the format's. Used when applying committed entries: limits are a
    /// per-silo setting, and a replica must never refuse an entry its peers applied.
    /// </summary>
    public static KvLimits Unbounded { get; } = new(int.MaxValue, int.MaxValue);

    /// <summary>Throws when a limit is not usable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxKeyBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxValueBytes);
    }

    internal void Check(int keyBytes, int valueBytes)
    {
        if (keyBytes > MaxKeyBytes)
        {
            throw new KvLimitExceededException("key", keyBytes, MaxKeyBytes);
        }

        if (valueBytes > MaxValueBytes)
        {
            throw new KvLimitExceededException("value", valueBytes, MaxValueBytes);
        }
    }
}
