using System.Buffers;
using System.Security.Cryptography;
using MultiRaft.Grains.Interfaces;

namespace MultiRaft.Grains.Kv;

/// <remarks>
/// Snapshot format 1, little-endian: magic "MRKV", format u8, lastAppliedIndex u64, nowMs i64,
/// keyCount i32, then per key in ordinal order (keyLength i32, key, valueLength i32, value,
/// version u64), sessionCount i32, then per session from least to most recently touched (clientId
/// u64, lastSequence u64, status u8 (0 before the first command), version u64, lastTouchMs i64),
/// and last the SHA-256 of all preceding bytes. The hash doubles as the <see cref="Digest"/>.
/// Format 2 (written only by a shard a split went through) adds rangeStart u64, rangeEnd u64,
/// rangeVersion u64 after nowMs; format 1 is a shard owning the whole space it was given.
/// Format 3 (written only once a client-named session was dropped) is format 2 followed by
/// droppedSecond i64 (the session table's floor for client-named ids, see <see cref="SessionIds"/>).
/// </remarks>
public sealed partial class KvStateMachine
{
    /// <summary>The snapshot format version written.</summary>
    public const byte SnapshotFormatVersion = 1;

    /// <summary>The snapshot format written by a shard a split went through (it records its range).</summary>
    public const byte SplitSnapshotFormatVersion = 2;

    /// <summary>The snapshot format written once a client-named session was dropped (it records the table's floor).</summary>
    public const byte FloorSnapshotFormatVersion = 3;

    // The oldest format that holds the state, so a state any older build could hold is written as it would write it.
    private byte FormatVersion =>
        sessions.DroppedSecond != 0 ? FloorSnapshotFormatVersion
        : RangeStart == 0 && RangeEnd == KeyHash.SpaceEnd && RangeVersion == 0 ? SnapshotFormatVersion
        : SplitSnapshotFormatVersion;

    private const int DigestSize = 32;
    private static ReadOnlySpan<byte> Magic => "MRKV"u8;

    /// <summary>Writes the whole state (map, sessions, last applied index) to <paramref name="output"/>.</summary>
    public void WriteSnapshot(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var sink = new SnapshotSink(output, null);
        WriteTo(sink);
    }

    /// <summary>The exact length of the snapshot <see cref="WriteSnapshot(Stream)"/> would write now.</summary>
    public long SnapshotLength =>
        Magic.Length + 1 + 8 + 8 + FormatVersion switch { SnapshotFormatVersion => 0, SplitSnapshotFormatVersion => 24, _ => 32 } + 4 + itemBytes + (Count * (4L + 4 + 8)) + 4 + (sessions.Count * SessionRecordLength) + DigestSize;

    /// <summary>Writes the whole state (map, sessions, last applied index) to <paramref name="output"/>.</summary>
    public void WriteSnapshot(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var sink = new SnapshotSink(null, output);
        WriteTo(sink);
    }

    /// <summary>
    /// SHA-256 over the canonical snapshot encoding: equal on two replicas exactly when their keys,
    /// values, versions, sessions (with their LRU order), clock and last applied index are equal.
    /// </summary>
    public byte[] Digest()
    {
        using var sink = new SnapshotSink(null, null);
        return WriteTo(sink);
    }

    /// <summary>
    /// Replaces the whole state with a snapshot. The snapshot is checked completely before anything
    /// is replaced: on error the state is unchanged.
    /// </summary>
    /// <exception cref="FormatException">The snapshot is corrupt or of an unknown format.</exception>
    public void RestoreSnapshot(ReadOnlySpan<byte> snapshot)
    {
        if (snapshot.Length < Magic.Length + 1 + DigestSize || !snapshot.StartsWith(Magic))
        {
            throw new FormatException($"snapshot: not a KV snapshot ({snapshot.Length} bytes)");
        }

        var body = snapshot[..^DigestSize];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(snapshot[^DigestSize..]))
        {
            throw new FormatException("snapshot: checksum mismatch");
        }

        var r = new SpanReader(body, "snapshot");
        r.Take(Magic.Length);
        var format = r.ReadByte();
        if (format is not SnapshotFormatVersion and not SplitSnapshotFormatVersion and not FloorSnapshotFormatVersion)
        {
            throw new FormatException($"snapshot: unknown format version {format}");
        }

        var lastApplied = r.ReadUInt64();
        var nowMs = r.ReadInt64();
        var (rangeStart, rangeEnd, rangeVersion) = (0UL, KeyHash.SpaceEnd, 0UL);
        long droppedSecond = 0;
        if (format != SnapshotFormatVersion)
        {
            (rangeStart, rangeEnd, rangeVersion) = (r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64());
            if (rangeStart >= rangeEnd || rangeEnd > KeyHash.SpaceEnd)
            {
                throw new FormatException($"snapshot: invalid range [{rangeStart}, {rangeEnd})");
            }
        }

        if (format == FloorSnapshotFormatVersion)
        {
            droppedSecond = r.ReadInt64();
            if (droppedSecond <= 0)
            {
                throw new FormatException($"snapshot: invalid client-named session floor {droppedSecond}");
            }
        }

        var newKeys = new SortedSet<byte[]>(ByteKeyComparer.Instance);
        var newSlots = new Dictionary<byte[], Slot>(ByteKeyComparer.Instance);
        var keyCount = r.ReadCount("key count");
        long newItemBytes = 0;
        byte[]? previous = null;
        for (var i = 0; i < keyCount; i++)
        {
            var key = r.ReadBytes("key length");
            var value = r.ReadBytes("value length");
            var version = r.ReadUInt64();
            if (key.Length == 0 || (previous is not null && ByteKeyComparer.Instance.Compare(previous, key) >= 0))
            {
                throw new FormatException($"snapshot: key {i} is empty or out of order");
            }

            if (version == 0 || version > lastApplied)
            {
                throw new FormatException($"snapshot: key {i} has version {version} outside 1..{lastApplied}");
            }

            newKeys.Add(key);
            newSlots.Add(key, new Slot(value, version));
            newItemBytes += key.Length + value.Length;
            previous = key;
        }

        var sessionCount = r.ReadCount("session count");
        var restored = new List<ClientSession>(sessionCount);
        var seen = new HashSet<ulong>();
        var lastTouch = long.MinValue;
        for (var i = 0; i < sessionCount; i++)
        {
            var clientId = r.ReadUInt64();
            var lastSequence = r.ReadUInt64();
            var status = r.ReadByte();
            var version = r.ReadUInt64();
            var touch = r.ReadInt64();
            if (clientId == 0 || (!SessionIds.IsClientNamed(clientId) && clientId > lastApplied) || !seen.Add(clientId))
            {
                throw new FormatException($"snapshot: session {i} has an invalid or repeated client id {clientId}");
            }

            if (touch < lastTouch || touch > nowMs)
            {
                throw new FormatException($"snapshot: session {i} touched at {touch}, out of order or after {nowMs}");
            }

            var noResult = lastSequence == 0;
            if (noResult != (status == 0) || status > (byte)KvStatus.SessionExpired || (noResult && version != 0))
            {
                throw new FormatException($"snapshot: session {i} has result status {status} for sequence {lastSequence}");
            }

            lastTouch = touch;
            restored.Add(new ClientSession(clientId, lastSequence, noResult ? default : new KvResult((KvStatus)status, version), touch));
        }

        if (restored.Count > sessionOptions.MaxSessions)
        {
            throw new FormatException($"snapshot: {restored.Count} sessions exceed the cap of {sessionOptions.MaxSessions}");
        }

        r.ExpectEnd();
        (keys, slots) = keyCount == 0 ? (null, null) : (newKeys, newSlots);
        itemBytes = newItemBytes;
        sessions = SessionTable.Restore(sessionOptions, nowMs, droppedSecond, restored);
        LastAppliedIndex = lastApplied;
        (RangeStart, RangeEnd, RangeVersion) = (rangeStart, rangeEnd, rangeVersion);
        LastSplit = null;
    }

    // Client id, last sequence, result status, result version, last touch.
    private const int SessionRecordLength = 8 + 8 + 1 + 8 + 8;

    private byte[] WriteTo(SnapshotSink sink)
    {
        sink.Write(Magic);
        var format = FormatVersion;
        sink.WriteByte(format);
        sink.WriteUInt64(LastAppliedIndex);
        sink.WriteInt64(sessions.NowMs);
        if (format != SnapshotFormatVersion)
        {
            sink.WriteUInt64(RangeStart);
            sink.WriteUInt64(RangeEnd);
            sink.WriteUInt64(RangeVersion);
        }

        if (format == FloorSnapshotFormatVersion)
        {
            sink.WriteInt64(sessions.DroppedSecond);
        }

        sink.WriteInt32(Count);
        if (keys is not null)
        {
            foreach (var key in keys)
            {
                var slot = Slots[key];
                sink.WriteBytes(key);
                sink.WriteBytes(slot.Value);
                sink.WriteUInt64(slot.Version);
            }
        }

        sink.WriteInt32(sessions.Count);
        foreach (var s in sessions.InTouchOrder)
        {
            sink.WriteUInt64(s.ClientId);
            sink.WriteUInt64(s.LastSequence);
            sink.WriteByte((byte)s.LastResult.Status);
            sink.WriteUInt64(s.LastResult.Version);
            sink.WriteInt64(s.LastTouchMs);
        }

        return sink.Finish();
    }
}
