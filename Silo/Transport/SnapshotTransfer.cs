using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Transport;

/// <summary>
/// One snapshot message on its way out of a <see cref="PeerSender"/>: the message without its
/// image (sent on every chunk) and how much of the image has been written so far.
/// </summary>
internal sealed class SnapshotTransfer
{
    // Room for a chunk's tags, lengths, shard id, offsets and flag beyond its header and bytes.
    private const int ChunkOverhead = 64;

    private readonly RaftMessage _header;
    private readonly ReadOnlyMemory<byte> _data;
    private readonly int _chunkSize;
    private int _offset;

    private SnapshotTransfer(ulong shardId, Message message, RaftMessage header, ReadOnlyMemory<byte> data, int chunkSize)
    {
        ShardId = shardId;
        Message = message;
        _header = header;
        _data = data;
        _chunkSize = chunkSize;
    }

    /// <summary>The shard the snapshot belongs to.</summary>
    public ulong ShardId { get; }

    /// <summary>The original message, reported unreachable if the transfer fails.</summary>
    public Message Message { get; }

    /// <summary>True once the last chunk has been written.</summary>
    public bool Done { get; private set; }

    /// <summary>Prepares the transfer of a snapshot message.</summary>
    /// <exception cref="ArgumentException">The message cannot be sent: no snapshot, too big an image, or no room for a chunk.</exception>
    public static SnapshotTransfer Start(ulong shardId, Message message, TransportOptions options)
    {
        var snapshot = message.Snapshot ?? throw new ArgumentException("A snapshot message carries no snapshot.", nameof(message));
        if (snapshot.Data.Length > options.MaxSnapshotBytes)
        {
            throw new ArgumentException(
                $"A snapshot image of {snapshot.Data.Length} bytes exceeds the maximum of {options.MaxSnapshotBytes}.", nameof(message));
        }

        var header = RaftWire.ToWire(message);
        header.Snapshot.Data = ByteString.Empty;
        var room = options.MaxFrameSize - header.CalculateSize() - ChunkOverhead;
        if (room < 1)
        {
            throw new ArgumentException($"A snapshot header of {header.CalculateSize()} bytes leaves no room in a frame.", nameof(message));
        }

        return new SnapshotTransfer(shardId, message, header, snapshot.Data, Math.Min(options.SnapshotChunkSize, room));
    }

    /// <summary>The next chunk; the transfer counts it as written (a failed write ends the whole transfer).</summary>
    public SnapshotChunk NextChunk()
    {
        var length = Math.Min(_chunkSize, _data.Length - _offset);
        var chunk = new SnapshotChunk
        {
            ShardId = ShardId,
            Header = _header,
            TotalLength = (ulong)_data.Length,
            Offset = (ulong)_offset,
            // Wrapped, not copied: the core never changes a snapshot's image.
            Data = UnsafeByteOperations.UnsafeWrap(_data.Slice(_offset, length)),
            Last = _offset + length == _data.Length,
        };
        _offset += length;
        Done = chunk.Last;
        return chunk;
    }
}
