using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;

namespace MultiRaft.Grains.Interfaces.Framing;

/// <summary>
/// Reads whole frames from a <see cref="PipeReader"/>, one at a time, and parses each with a
/// caller-supplied function (each protocol knows which message a kind carries). Used by the
/// client, the gateway and the silo transport (through its FrameReader).
/// </summary>
public sealed class MessageFrameReader
{
    private readonly PipeReader _reader;
    private readonly int _maxFrameSize;
    private readonly Func<FrameKind, ReadOnlySequence<byte>, IMessage> _parse;

    /// <summary>Creates a reader; <paramref name="parse"/> throws <see cref="FrameException"/> for a kind it does not expect.</summary>
    public MessageFrameReader(PipeReader reader, int maxFrameSize, Func<FrameKind, ReadOnlySequence<byte>, IMessage> parse)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(parse);
        _reader = reader;
        _maxFrameSize = maxFrameSize;
        _parse = parse;
    }

    /// <summary>
    /// The next frame's kind and parsed body, or null when the peer ended the stream between
    /// frames. Bytes after the frame stay buffered for the next call.
    /// </summary>
    /// <exception cref="FrameException">The frame is oversized, unknown or unparsable, or the stream ended inside it.</exception>
    public async ValueTask<(FrameKind Kind, IMessage Body)?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var took = false;
            try
            {
                if (FrameFormat.TryRead(ref buffer, _maxFrameSize, out var kind, out var payload))
                {
                    took = true;
                    return (kind, _parse(kind, payload));
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    if (buffer.IsEmpty)
                    {
                        return null;
                    }

                    throw new FrameException($"The stream ended inside a frame ({buffer.Length} bytes left over).");
                }
            }
            finally
            {
                // With a frame taken the rest is unexamined, so the next read returns it at once;
                // without one everything was examined, so the next read waits for more bytes.
                if (took)
                {
                    _reader.AdvanceTo(buffer.Start);
                }
                else
                {
                    _reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                }
            }
        }
    }
}
