using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Framing;

namespace MultiRaft.Transport;

/// <summary>Reads whole frames from a <see cref="PipeReader"/>, one at a time, parsed.</summary>
public sealed class FrameReader
{
    private readonly PipeReader _reader;
    private readonly int _maxFrameSize;

    /// <summary>Creates a reader over <paramref name="reader"/>.</summary>
    public FrameReader(PipeReader reader, int maxFrameSize)
    {
        _reader = reader;
        _maxFrameSize = maxFrameSize;
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
                    return (kind, Parse(kind, payload));
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
                // With a frame taken, the rest is unexamined, so the next read returns it at once;
                // without one, everything was examined, so the next read waits for more bytes.
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

    private static IMessage Parse(FrameKind kind, in ReadOnlySequence<byte> payload) => kind switch
    {
        FrameKind.Handshake => FrameFormat.Parse(Grains.Interfaces.Protos.Handshake.Parser, kind, payload),
        FrameKind.HandshakeReply => FrameFormat.Parse(Grains.Interfaces.Protos.HandshakeReply.Parser, kind, payload),
        FrameKind.MessageBatch => FrameFormat.Parse(Grains.Interfaces.Protos.MessageBatch.Parser, kind, payload),
        FrameKind.SnapshotChunk => FrameFormat.Parse(Grains.Interfaces.Protos.SnapshotChunk.Parser, kind, payload),
        // Client frames are valid kinds, but never on a silo-to-silo connection.
        _ => throw new FrameException($"Unknown frame kind {(byte)kind} on a silo connection."),
    };
}
