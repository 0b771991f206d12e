namespace MultiRaft.Grains.Kv;

/// <summary>
/// One state-machine command. Built only through the factories (which check sizes against
/// <see cref="KvLimits"/> and copy their inputs) or by <see cref="CommandCodec.DecodeCommand"/>,
/// so every instance is well formed. The leader stamps <see cref="TimestampMs"/> when proposing.
/// </summary>
public sealed class KvCommand
{
    private KvCommand(KvCommandKind kind, ulong clientId, ulong sequence, long timestampMs, byte[] key, byte[] value, ulong expectedVersion)
    {
        Kind = kind;
        ClientId = clientId;
        Sequence = sequence;
        TimestampMs = timestampMs;
        KeyBytes = key;
        ValueBytes = value;
        ExpectedVersion = expectedVersion;
    }

    /// <summary>What the command does.</summary>
    public KvCommandKind Kind { get; }

    /// <summary>The session's client id; 0 for a write without a session (applied each time it is committed).</summary>
    public ulong ClientId { get; }

    /// <summary>The client's sequence number, from 1; 0 without a session.</summary>
    public ulong Sequence { get; }

    /// <summary>Leader-assigned logical time in milliseconds; drives session expiry.</summary>
    public long TimestampMs { get; }

    /// <summary>The key (empty only for <see cref="KvCommandKind.OpenSession"/>).</summary>
    public ReadOnlyMemory<byte> Key => KeyBytes;

    /// <summary>The value (empty for deletes and sessions).</summary>
    public ReadOnlyMemory<byte> Value => ValueBytes;

    /// <summary>The version a conditional command expects; 0 means "absent" for <see cref="KvCommandKind.CompareAndSet"/>.</summary>
    public ulong ExpectedVersion { get; }

    internal byte[] KeyBytes { get; }

    internal byte[] ValueBytes { get; }

    /// <summary>Opens a session; the result's version is the new client id.</summary>
    public static KvCommand OpenSession(long timestampMs = 0) =>
        new(KvCommandKind.OpenSession, 0, 0, timestampMs, [], [], 0);

    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>.</summary>
    /// <exception cref="KvLimitExceededException">Key or value too large.</exception>
    /// <exception cref="ArgumentException">Empty key or an invalid (client, sequence) pair.</exception>
    public static KvCommand Put(ulong clientId, ulong sequence, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, KvLimits limits) =>
        Build(KvCommandKind.Put, clientId, sequence, key, value, 0, limits);

    /// <summary>Removes <paramref name="key"/>.</summary>
    /// <exception cref="KvLimitExceededException">Key too large.</exception>
    /// <exception cref="ArgumentException">Empty key or an invalid (client, sequence) pair.</exception>
    public static KvCommand Delete(ulong clientId, ulong sequence, ReadOnlySpan<byte> key, KvLimits limits) =>
        Build(KvCommandKind.Delete, clientId, sequence, key, [], 0, limits);

    /// <summary>Writes if the key's version is <paramref name="expectedVersion"/> (0: the key must be absent).</summary>
    /// <exception cref="KvLimitExceededException">Key or value too large.</exception>
    /// <exception cref="ArgumentException">Empty key or an invalid (client, sequence) pair.</exception>
    public static KvCommand CompareAndSet(ulong clientId, ulong sequence, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong expectedVersion, KvLimits limits) =>
        Build(KvCommandKind.CompareAndSet, clientId, sequence, key, value, expectedVersion, limits);

    /// <summary>Writes only if the key is absent.</summary>
    /// <exception cref="KvLimitExceededException">Key or value too large.</exception>
    /// <exception cref="ArgumentException">Empty key or an invalid (client, sequence) pair.</exception>
    public static KvCommand Create(ulong clientId, ulong sequence, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, KvLimits limits) =>
        Build(KvCommandKind.Create, clientId, sequence, key, value, 0, limits);

    /// <summary>Removes the key if its version is <paramref name="expectedVersion"/> (non-zero).</summary>
    /// <exception cref="KvLimitExceededException">Key too large.</exception>
    /// <exception cref="ArgumentException">Empty key, zero expected version or an invalid (client, sequence) pair.</exception>
    public static KvCommand CompareAndDelete(ulong clientId, ulong sequence, ReadOnlySpan<byte> key, ulong expectedVersion, KvLimits limits) =>
        Build(KvCommandKind.CompareAndDelete, clientId, sequence, key, [], expectedVersion, limits);

    /// <summary>The same command stamped with the leader's logical time.</summary>
    public KvCommand WithTimestamp(long timestampMs) =>
        new(Kind, ClientId, Sequence, timestampMs, KeyBytes, ValueBytes, ExpectedVersion);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Kind} client={ClientId} seq={Sequence} ts={TimestampMs} key={Convert.ToHexString(KeyBytes)} value={ValueBytes.Length}B expected={ExpectedVersion}";

    internal static KvCommand FromParts(KvCommandKind kind, ulong clientId, ulong sequence, long timestampMs, byte[] key, byte[] value, ulong expectedVersion, KvLimits limits)
    {
        if (Problem(kind, clientId, sequence, key.Length, value.Length, expectedVersion) is { } problem)
        {
            throw new FormatException($"malformed command: {problem}");
        }

        limits.Check(key.Length, value.Length);
        return new KvCommand(kind, clientId, sequence, timestampMs, key, value, expectedVersion);
    }

    private static KvCommand Build(KvCommandKind kind, ulong clientId, ulong sequence, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong expectedVersion, KvLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (Problem(kind, clientId, sequence, key.Length, value.Length, expectedVersion) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        limits.Check(key.Length, value.Length);
        return new KvCommand(kind, clientId, sequence, 0, key.ToArray(), value.ToArray(), expectedVersion);
    }

    // One rule set for built and decoded commands, so a command that decodes could also have been built.
    private static string? Problem(KvCommandKind kind, ulong clientId, ulong sequence, int keyLength, int valueLength, ulong expectedVersion)
    {
        if (kind == KvCommandKind.OpenSession)
        {
            return clientId != 0 || sequence != 0 || keyLength != 0 || valueLength != 0 || expectedVersion != 0
                ? "an open-session command carries no client, sequence, key, value or version"
                : null;
        }

        if (kind is < KvCommandKind.Put or > KvCommandKind.CompareAndDelete)
        {
            return $"unknown command kind {(byte)kind}";
        }

        if (keyLength == 0)
        {
            return "the key is empty";
        }

        if ((clientId == 0) != (sequence == 0))
        {
            return $"client {clientId} with sequence {sequence}: sequences start at 1 within a session and are 0 without one";
        }

        if (kind is KvCommandKind.Delete or KvCommandKind.CompareAndDelete && valueLength != 0)
        {
            return "a delete carries no value";
        }

        return kind switch
        {
            KvCommandKind.CompareAndDelete when expectedVersion == 0 => "a conditional delete needs a non-zero expected version",
            KvCommandKind.Put or KvCommandKind.Delete or KvCommandKind.Create when expectedVersion != 0 => $"{kind} carries no expected version",
            _ => null,
        };
    }
}
