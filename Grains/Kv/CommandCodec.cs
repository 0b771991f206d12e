using System.Buffers.Binary;

namespace MultiRaft.Grains.Kv;

/// <summary>
/// The binary form of commands (Raft entry payloads) and results (replies). Little-endian, led by a
/// format version byte so a later format can be introduced beside this one.
/// </summary>
/// <remarks>
/// Command, format 1: version u8, kind u8, clientId u64, sequence u64, timestampMs i64,
/// expectedVersion u64, keyLength i32, key, valueLength i32, value. Result, format 1: version u8,
/// status u8, version u64.
/// </remarks>
public static class CommandCodec
{
    /// <summary>The format version written by this codec.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Size of an encoded result.</summary>
    public const int ResultSize = 10;

    private const int TimestampOffset = 18;
    private const int HeaderSize = 38;

    /// <summary>Encoded size of <paramref name="command"/>.</summary>
    public static int GetSize(KvCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return HeaderSize + command.KeyBytes.Length + 4 + command.ValueBytes.Length;
    }

    /// <summary>Encodes a command as a new array.</summary>
    public static byte[] Encode(KvCommand command)
    {
        var buf = new byte[GetSize(command)];
        Encode(command, buf);
        return buf;
    }

    /// <summary>Encodes a command into <paramref name="destination"/>, which holds at least <see cref="GetSize"/> bytes.</summary>
    /// <returns>The bytes written.</returns>
    public static int Encode(KvCommand command, Span<byte> destination)
    {
        var size = GetSize(command);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size);
        var d = destination;
        d[0] = FormatVersion;
        d[1] = (byte)command.Kind;
        BinaryPrimitives.WriteUInt64LittleEndian(d[2..], command.ClientId);
        BinaryPrimitives.WriteUInt64LittleEndian(d[10..], command.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(d[TimestampOffset..], command.TimestampMs);
        BinaryPrimitives.WriteUInt64LittleEndian(d[26..], command.ExpectedVersion);
        BinaryPrimitives.WriteInt32LittleEndian(d[34..], command.KeyBytes.Length);
        command.KeyBytes.CopyTo(d[HeaderSize..]);
        var o = HeaderSize + command.KeyBytes.Length;
        BinaryPrimitives.WriteInt32LittleEndian(d[o..], command.ValueBytes.Length);
        command.ValueBytes.CopyTo(d[(o + 4)..]);
        return size;
    }

    /// <summary>
    /// Overwrites the timestamp of an encoded command in place: the leader stamps its logical
    /// clock on a client's payload without decoding and re-encoding it.
    /// </summary>
    /// <exception cref="FormatException">The payload is not a command of this format.</exception>
    public static void StampTimestamp(Span<byte> encoded, long timestampMs)
    {
        if (encoded.Length < HeaderSize || encoded[0] != FormatVersion)
        {
            throw new FormatException($"not a format-{FormatVersion} command ({encoded.Length} bytes)");
        }

        BinaryPrimitives.WriteInt64LittleEndian(encoded[TimestampOffset..], timestampMs);
    }

    /// <summary>Decodes a command, checking structure and <paramref name="limits"/>.</summary>
    /// <exception cref="FormatException">The payload is malformed.</exception>
    /// <exception cref="KvLimitExceededException">Key or value over <paramref name="limits"/>.</exception>
    public static KvCommand DecodeCommand(ReadOnlySpan<byte> data, KvLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var r = new SpanReader(data, "command");
        var version = r.ReadByte();
        if (version != FormatVersion)
        {
            throw new FormatException($"command: unknown format version {version}");
        }

        var kind = (KvCommandKind)r.ReadByte();
        var clientId = r.ReadUInt64();
        var sequence = r.ReadUInt64();
        var timestamp = r.ReadInt64();
        var expected = r.ReadUInt64();
        var key = r.ReadBytes("key length");
        var value = r.ReadBytes("value length");
        r.ExpectEnd();
        return KvCommand.FromParts(kind, clientId, sequence, timestamp, key, value, expected, limits);
    }

    /// <summary>Encodes a result as a new array.</summary>
    public static byte[] Encode(KvResult result)
    {
        var buf = new byte[ResultSize];
        Encode(result, buf);
        return buf;
    }

    /// <summary>Encodes a result into <paramref name="destination"/> (at least <see cref="ResultSize"/> bytes).</summary>
    public static void Encode(KvResult result, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, ResultSize);
        destination[0] = FormatVersion;
        destination[1] = (byte)result.Status;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[2..], result.Version);
    }

    /// <summary>Decodes a result.</summary>
    /// <exception cref="FormatException">The payload is malformed.</exception>
    public static KvResult DecodeResult(ReadOnlySpan<byte> data)
    {
        var r = new SpanReader(data, "result");
        var version = r.ReadByte();
        if (version != FormatVersion)
        {
            throw new FormatException($"result: unknown format version {version}");
        }

        var status = ReadStatus(ref r, "result");
        var v = r.ReadUInt64();
        r.ExpectEnd();
        return new KvResult(status, v);
    }

    internal static KvStatus ReadStatus(ref SpanReader r, string what)
    {
        var s = r.ReadByte();
        return s is >= (byte)KvStatus.Ok and <= (byte)KvStatus.WrongShard
            ? (KvStatus)s
            : throw new FormatException($"{what}: unknown status {s}");
    }
}
