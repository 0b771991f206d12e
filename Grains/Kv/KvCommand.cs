using System.Buffers.Binary;

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

    /// <summary>
    /// Splits the shard at <paramref name="splitHash"/>: the keys whose hash lies in
    /// [<paramref name="splitHash"/>, <paramref name="rangeEnd"/>) and a copy of the session table
    /// become shard <paramref name="childShardId"/>'s initial state. Proposed by the shard's leader
    /// once the router's map shows the split, so that the log, not a view, decides which writes
    /// land before it (and move) and which after it (and are refused).
    /// </summary>
    /// <param name="splitHash">The child's first hash; inside the shard's current range.</param>
    /// <param name="rangeEnd">The new shard's end: the shard's current range end (a split proposed twice, or against a range that changed since, applies as a no-op).</param>
    /// <param name="rangeVersion">The range version both shards have in the router's map after the split.</param>
    /// <param name="childShardId">The new shard.</param>
    /// <param name="replicas">For every replica of this shard, its counterpart in the new shard (on the same silo).</param>
    /// <param name="timestampMs">The leader's clock.</param>
    /// <remarks>
    /// Encoded in the common layout: expectedVersion = split hash, key = rangeEnd u64, rangeVersion
    /// u64, childShardId u64; value = (replica u64, child replica u64) per replica.
    /// </remarks>
    public static KvCommand Split(ulong splitHash, ulong rangeEnd, ulong rangeVersion, ulong childShardId,
        IReadOnlyList<(ulong Replica, ulong ChildReplica)> replicas, long timestampMs = 0)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        if (splitHash == 0 || splitHash >= rangeEnd || childShardId == 0 || replicas.Count == 0)
        {
            throw new ArgumentException("a split names a hash inside the range, a child shard and the child replicas");
        }

        var key = new byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(key, rangeEnd);
        BinaryPrimitives.WriteUInt64LittleEndian(key.AsSpan(8), rangeVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(key.AsSpan(16), childShardId);
        var value = new byte[replicas.Count * 16];
        for (var i = 0; i < replicas.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(i * 16), replicas[i].Replica);
            BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan((i * 16) + 8), replicas[i].ChildReplica);
        }

        return new KvCommand(KvCommandKind.Split, 0, 0, timestampMs, key, value, splitHash);
    }

    /// <summary>A split's first hash of the new shard.</summary>
    public ulong SplitHash => Kind == KvCommandKind.Split ? ExpectedVersion : 0;

    /// <summary>A split's expected current range end.</summary>
    public ulong SplitRangeEnd => Kind == KvCommandKind.Split ? BinaryPrimitives.ReadUInt64LittleEndian(KeyBytes) : 0;

    /// <summary>A split's range version after it.</summary>
    public ulong SplitRangeVersion => Kind == KvCommandKind.Split ? BinaryPrimitives.ReadUInt64LittleEndian(KeyBytes.AsSpan(8)) : 0;

    /// <summary>A split's new shard.</summary>
    public ulong SplitChildShardId => Kind == KvCommandKind.Split ? BinaryPrimitives.ReadUInt64LittleEndian(KeyBytes.AsSpan(16)) : 0;

    /// <summary>A split's (replica, child replica) pairs.</summary>
    public IReadOnlyList<(ulong Replica, ulong ChildReplica)> SplitReplicas
    {
        get
        {
            if (Kind != KvCommandKind.Split)
            {
                return [];
            }

            var pairs = new (ulong, ulong)[ValueBytes.Length / 16];
            for (var i = 0; i < pairs.Length; i++)
            {
                pairs[i] = (BinaryPrimitives.ReadUInt64LittleEndian(ValueBytes.AsSpan(i * 16)),
                    BinaryPrimitives.ReadUInt64LittleEndian(ValueBytes.AsSpan((i * 16) + 8)));
            }

            return pairs;
        }
    }

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

        if (kind == KvCommandKind.Split)
        {
            return clientId != 0 || sequence != 0 || keyLength != 24 || valueLength == 0 || valueLength % 16 != 0 || expectedVersion == 0
                ? "a split carries no client or sequence, a 24-byte range key, replica pairs and a non-zero split hash"
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
