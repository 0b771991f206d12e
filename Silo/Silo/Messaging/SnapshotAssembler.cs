using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Silo.Messaging;

/// <summary>A snapshot message put back together from its pieces: the shard, the sending silo, and the whole message.</summary>
internal readonly record struct AssembledSnapshot(ulong ShardId, string FromSilo, RaftMessage Message);

/// <summary>
/// Puts snapshot messages sent in pieces (<see cref="SnapshotChunk"/>) back together. Pieces come
/// at most once and in any order, so a stream is kept until every byte arrived, replaced by a
/// newer stream from the same silo for the same shard (a silo hosts one replica of a shard, so
/// that is the same follower, and the older snapshot is no longer wanted), or dropped once no
/// piece came for <c>abandonAfter</c> — Raft sends a snapshot again when its follower still lags.
/// A sender numbers its streams in increasing order, and a piece of a stream older than the newest
/// seen from that silo for that shard (or of one already delivered) is ignored: otherwise the tail
/// of one stream and the head of the next, arriving interleaved, would keep replacing each other.
/// Memory is bounded: past <c>maxBufferedBytes</c> the stream touched least recently goes first.
/// Thread-safe; pieces arrive on Orleans' threads.
/// </summary>
internal sealed class SnapshotAssembler(long maxBufferedBytes, TimeSpan abandonAfter, TimeProvider clock)
{
    private readonly Dictionary<(string From, ulong Stream), Assembly> _streams = [];
    private readonly Dictionary<(string From, ulong Shard), Newest> _newest = [];
    private readonly Lock _lock = new();
    private long _buffered;

    /// <summary>Bytes held by incomplete streams.</summary>
    public long BufferedBytes
    {
        get
        {
            lock (_lock)
            {
                return _buffered;
            }
        }
    }

    /// <summary>Streams not yet complete.</summary>
    public int Streams
    {
        get
        {
            lock (_lock)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>Takes one piece; returns the whole message when this piece completed it.</summary>
    /// <exception cref="FormatException">The piece is malformed or contradicts earlier pieces of its stream (that stream is dropped).</exception>
    public AssembledSnapshot? Add(SnapshotChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        Validate(chunk, maxBufferedBytes);
        var key = (chunk.FromSilo, chunk.StreamId);
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            DropIdle(now);
            var pair = (chunk.FromSilo, chunk.ShardId);
            if (_newest.TryGetValue(pair, out var newest) && (chunk.StreamId < newest.StreamId || (chunk.StreamId == newest.StreamId && newest.Delivered)))
            {
                return null; // late piece of a stream superseded or already delivered
            }

            _newest[pair] = new Newest(chunk.StreamId, Delivered: false, now);
            if (!_streams.TryGetValue(key, out var stream))
            {
                DropOlderStreams(chunk.FromSilo, chunk.ShardId);
                MakeRoom((long)chunk.TotalBytes);
                stream = new Assembly(chunk.ShardId, new byte[chunk.TotalBytes]);
                _streams[key] = stream;
                _buffered += stream.Buffer.Length;
            }
            else if (stream.ShardId != chunk.ShardId || (ulong)stream.Buffer.Length != chunk.TotalBytes)
            {
                Drop(key, stream);
                throw new FormatException(
                    $"snapshot stream {chunk.StreamId} from {chunk.FromSilo}: a piece names shard {chunk.ShardId} and {chunk.TotalBytes} bytes, " +
                    $"earlier pieces shard {stream.ShardId} and {stream.Buffer.Length} bytes");
            }

            stream.LastPiece = now;
            var piece = (Start: chunk.Offset, End: chunk.Offset + (ulong)chunk.Data.Length);
            if (stream.Pieces.Contains(piece))
            {
                return null; // a piece delivered twice
            }

            if (Overlaps(stream.Pieces, piece.Start, piece.End))
            {
                Drop(key, stream);
                throw new FormatException($"snapshot stream {chunk.StreamId} from {chunk.FromSilo}: a piece at {piece.Start}..{piece.End} overlaps another");
            }

            stream.Pieces.Add(piece);
            chunk.Data.Span.CopyTo(stream.Buffer.AsSpan((int)chunk.Offset));
            stream.Received += chunk.Data.Length;
            if (chunk.Offset == 0)
            {
                stream.Header = chunk.Header;
            }

            // Pieces never overlap, so every byte arrived once as many bytes as the image has did.
            if (stream.Received < stream.Buffer.Length || stream.Header is null)
            {
                return null;
            }

            Drop(key, stream);
            _newest[pair] = new Newest(chunk.StreamId, Delivered: true, now);
            var message = stream.Header.Clone();
            message.Snapshot.Data = UnsafeByteOperations.UnsafeWrap(stream.Buffer);
            return new AssembledSnapshot(stream.ShardId, chunk.FromSilo, message);
        }
    }

    private static void Validate(SnapshotChunk chunk, long maxBufferedBytes)
    {
        var where = $"snapshot stream {chunk.StreamId} from '{chunk.FromSilo}'";
        if (chunk.FromSilo.Length == 0)
        {
            throw new FormatException("a snapshot piece names no sending silo");
        }

        if (chunk.TotalBytes == 0 || chunk.TotalBytes > (ulong)Math.Min(maxBufferedBytes, Array.MaxLength))
        {
            throw new FormatException($"{where}: {chunk.TotalBytes} bytes in all is outside 1..{Math.Min(maxBufferedBytes, Array.MaxLength)}");
        }

        if (chunk.Data.Length == 0 || chunk.Offset >= chunk.TotalBytes || (ulong)chunk.Data.Length > chunk.TotalBytes - chunk.Offset)
        {
            throw new FormatException($"{where}: a piece of {chunk.Data.Length} bytes at {chunk.Offset} does not fit in {chunk.TotalBytes}");
        }

        if (chunk.Offset == 0 && (chunk.Header is null || chunk.Header.Type != RaftMessageType.Snapshot || chunk.Header.Snapshot is null))
        {
            throw new FormatException($"{where}: its first piece carries no snapshot message header");
        }
    }

    // A piece starting inside [start, end), or the last piece starting before it reaching past start.
    private static bool Overlaps(SortedSet<(ulong Start, ulong End)> pieces, ulong start, ulong end)
    {
        if (pieces.GetViewBetween((start, 0), (end - 1, ulong.MaxValue)).Any())
        {
            return true;
        }

        return start > 0 && pieces.GetViewBetween((0, 0), (start - 1, ulong.MaxValue)).Max.End > start;
    }

    private void DropIdle(DateTimeOffset now)
    {
        // Forgotten after a quiet spell too, so that a sender whose numbering restarted lower
        // (its clock stepped back across a restart) is heard again.
        foreach (var (pair, newest) in _newest.ToList())
        {
            if (now - newest.Seen > abandonAfter)
            {
                _newest.Remove(pair);
            }
        }

        foreach (var (key, stream) in _streams.ToList())
        {
            if (now - stream.LastPiece > abandonAfter)
            {
                Drop(key, stream);
            }
        }
    }

    private void DropOlderStreams(string from, ulong shardId)
    {
        foreach (var (key, stream) in _streams.ToList())
        {
            if (key.From == from && stream.ShardId == shardId)
            {
                Drop(key, stream);
            }
        }
    }

    private void MakeRoom(long bytes)
    {
        while (_buffered + bytes > maxBufferedBytes && _streams.Count > 0)
        {
            var (key, stream) = _streams.MinBy(s => s.Value.LastPiece);
            Drop(key, stream);
        }
    }

    private void Drop((string, ulong) key, Assembly stream)
    {
        if (_streams.Remove(key))
        {
            _buffered -= stream.Buffer.Length;
        }
    }

    private readonly record struct Newest(ulong StreamId, bool Delivered, DateTimeOffset Seen);

    private sealed class Assembly(ulong shardId, byte[] buffer)
    {
        public ulong ShardId { get; } = shardId;

        public byte[] Buffer { get; } = buffer;

        public SortedSet<(ulong Start, ulong End)> Pieces { get; } = [];

        public long Received { get; set; }

        public RaftMessage? Header { get; set; }

        public DateTimeOffset LastPiece { get; set; }
    }
}
