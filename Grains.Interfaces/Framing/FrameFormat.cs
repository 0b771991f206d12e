using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace MultiRaft.Grains.Interfaces.Framing;

/// <summary>
/// The frame layout: a 4-byte little-endian payload length, a 1-byte <see cref="FrameKind"/>,
/// then the Protocol Buffers payload.
/// </summary>
public static class FrameFormat
{
    /// <summary>Bytes before the payload.</summary>
    public const int HeaderSize = 5;

    /// <summary>
    /// Takes one whole frame off the front of <paramref name="buffer"/>. Returns false when more
    /// bytes are needed. Checks the header as soon as it is complete, so an oversized frame is
    /// refused before its payload is buffered.
    /// </summary>
    /// <exception cref="FrameException">The length is negative or above the maximum, or the kind is unknown.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out FrameKind kind,
        out ReadOnlySequence<byte> payload)
    {
        kind = default;
        payload = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadLittleEndian(out int length) || !reader.TryRead(out var kindByte))
        {
            return false;
        }

        if (length < 0 || length > maxFrameSize)
        {
            throw new FrameException($"Frame of {(uint)length} bytes exceeds the maximum of {maxFrameSize}.");
        }

        kind = (FrameKind)kindByte;
        if (!Enum.IsDefined(kind))
        {
            throw new FrameException($"Unknown frame kind {kindByte}.");
        }

        if (reader.Remaining < length)
        {
            return false;
        }

        payload = buffer.Slice(reader.Position, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>Parses a payload, turning a parse failure into a <see cref="FrameException"/>.</summary>
    public static T Parse<T>(MessageParser<T> parser, FrameKind kind, in ReadOnlySequence<byte> payload)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new FrameException($"Unparsable {kind} frame of {payload.Length} bytes.", ex);
        }
    }

    /// <summary>Writes one frame into <paramref name="writer"/> (nothing is flushed).</summary>
    /// <exception cref="FrameException">The payload is larger than <paramref name="maxFrameSize"/>.</exception>
    public static void Write(IBufferWriter<byte> writer, FrameKind kind, IMessage body, int maxFrameSize)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(body);
        var size = body.CalculateSize();
        if (size > maxFrameSize)
        {
            throw new FrameException($"{kind} frame of {size} bytes exceeds the maximum of {maxFrameSize}.");
        }

        var span = writer.GetSpan(HeaderSize + size);
        BinaryPrimitives.WriteInt32LittleEndian(span, size);
        span[4] = (byte)kind;
        body.WriteTo(span.Slice(HeaderSize, size));
        writer.Advance(HeaderSize + size);
    }
}
