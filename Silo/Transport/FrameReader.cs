using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Framing;

namespace MultiRaft.Transport;

/// <summary>
/// Reads whole silo-to-silo frames from a <see cref="PipeReader"/>, one at a time, parsed: the
/// shared <see cref="MessageFrameReader"/> with the silo protocol's kinds.
/// </summary>
public sealed class FrameReader
{
    private readonly MessageFrameReader _frames;

    /// <summary>Creates a reader over <paramref name="reader"/>.</summary>
    public FrameReader(PipeReader reader, int maxFrameSize) => _frames = new MessageFrameReader(reader, maxFrameSize, Parse);

    /// <summary>
    /// The next frame's kind and parsed body, or null when the peer ended the stream between
    /// frames. Bytes after the frame stay buffered for the next call.
    /// </summary>
    /// <exception cref="FrameException">The frame is oversized, unknown or unparsable, or the stream ended inside it.</exception>
    public ValueTask<(FrameKind Kind, IMessage Body)?> ReadAsync(CancellationToken cancellationToken) => _frames.ReadAsync(cancellationToken);

    private static IMessage Parse(FrameKind kind, ReadOnlySequence<byte> payload) => kind switch
    {
        FrameKind.Handshake => FrameFormat.Parse(Grains.Interfaces.Protos.Handshake.Parser, kind, payload),
        FrameKind.HandshakeReply => FrameFormat.Parse(Grains.Interfaces.Protos.HandshakeReply.Parser, kind, payload),
        FrameKind.MessageBatch => FrameFormat.Parse(Grains.Interfaces.Protos.MessageBatch.Parser, kind, payload),
        FrameKind.SnapshotChunk => FrameFormat.Parse(Grains.Interfaces.Protos.SnapshotChunk.Parser, kind, payload),
        // Client frames are valid kinds, but never on a silo-to-silo connection.
        _ => throw new FrameException($"Unknown frame kind {(byte)kind} on a silo connection."),
    };
}
