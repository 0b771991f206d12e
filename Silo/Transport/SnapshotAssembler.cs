using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Transport;

/// <summary>
/// Joins the <see cref="SnapshotChunk"/>s of one connection into whole snapshot messages. Chunks
/// of one snapshot arrive in order (one TCP stream, one sender loop). Partial snapshots live only
/// as long as the connection: dropping the assembler drops them, and the sender, whose connection
/// broke too, reports the message unreachable so Raft retries.
/// </summary>
internal sealed class SnapshotAssembler
{
    private readonly Dictionary<Key, Partial> _partials = [];
    private readonly long _maxBytes;
    private long _heldBytes;

    /// <summary>Creates an assembler holding at most <paramref name="maxBytes"/> of partial images at once.</summary>
    public SnapshotAssembler(long maxBytes) => _maxBytes = maxBytes;

    /// <summary>Snapshots begun and not yet complete.</summary>
    public int PartialCount => _partials.Count;

    /// <summary>Takes one chunk; returns the whole message once its last chunk has arrived, else null.</summary>
    /// <exception cref="FrameException">
    /// The chunk breaks the protocol: a bad header, a total above the maximum, a gap, bytes past
    /// the announced total, or a last chunk that leaves the image short.
    /// </exception>
    public (ulong ShardId, Message Message)? Add(SnapshotChunk chunk)
    {
        var header = chunk.Header ?? throw new FrameException("A snapshot chunk carries no header.");
        if (header.Type != RaftMessageType.Snapshot || header.Snapshot?.Metadata is not { } meta)
        {
            throw new FrameException($"A snapshot chunk's header is a {header.Type} message without snapshot metadata.");
        }

        if (!header.Snapshot.Data.IsEmpty)
        {
            throw new FrameException("A snapshot chunk's header carries image bytes of its own.");
        }

        var key = new Key(chunk.ShardId, header.To, meta.Index);
        if (chunk.Offset == 0)
        {
            Begin(key, chunk, header);
        }

        if (!_partials.TryGetValue(key, out var partial))
        {
            throw new FrameException(
                $"A snapshot chunk at offset {chunk.Offset} for shard {chunk.ShardId}, replica {header.To}, index {meta.Index} continues nothing.");
        }

        if (chunk.TotalLength != (ulong)partial.Image.Length || chunk.Offset != (ulong)partial.Received)
        {
            throw new FrameException(
                $"A snapshot chunk announces {chunk.TotalLength} bytes at offset {chunk.Offset}; expected {partial.Image.Length} at {partial.Received}.");
        }

        if (chunk.Data.Length > partial.Image.Length - partial.Received)
        {
            throw new FrameException($"A snapshot chunk runs past the announced {partial.Image.Length} bytes.");
        }

        chunk.Data.Span.CopyTo(partial.Image.AsSpan(partial.Received));
        partial.Received += chunk.Data.Length;
        if (!chunk.Last)
        {
            return null;
        }

        Forget(key, partial);
        if (partial.Received != partial.Image.Length)
        {
            throw new FrameException($"A snapshot ended after {partial.Received} of its announced {partial.Image.Length} bytes.");
        }

        partial.Header.Snapshot.Data = UnsafeByteOperations.UnsafeWrap(partial.Image);
        try
        {
            return (chunk.ShardId, RaftWire.FromWire(partial.Header));
        }
        catch (FormatException ex)
        {
            throw new FrameException("A reassembled snapshot message is malformed.", ex);
        }
    }

    private void Begin(Key key, SnapshotChunk chunk, RaftMessage header)
    {
        // Checked before any byte is held, so a malformed header costs no memory.
        try
        {
            RaftWire.FromWire(header);
        }
        catch (FormatException ex)
        {
            throw new FrameException("A snapshot chunk's header is malformed.", ex);
        }

        // A restart of the same snapshot replaces the old partial.
        if (_partials.TryGetValue(key, out var old))
        {
            Forget(key, old);
        }

        if (chunk.TotalLength > (ulong)(_maxBytes - _heldBytes))
        {
            throw new FrameException(
                $"A snapshot of {chunk.TotalLength} bytes exceeds the maximum of {_maxBytes} ({_heldBytes} already held in partial snapshots).");
        }

        var partial = new Partial(header.Clone(), new byte[(int)chunk.TotalLength]);
        _partials.Add(key, partial);
        _heldBytes += partial.Image.Length;
    }

    private void Forget(Key key, Partial partial)
    {
        _partials.Remove(key);
        _heldBytes -= partial.Image.Length;
    }

    private readonly record struct Key(ulong ShardId, ulong To, ulong SnapshotIndex);

    private sealed class Partial(RaftMessage header, byte[] image)
    {
        public RaftMessage Header { get; } = header;

        public byte[] Image { get; } = image;

        public int Received { get; set; }
    }
}
