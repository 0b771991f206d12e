using System.Buffers.Binary;
using System.Numerics;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// The framing of one WAL record, 8-byte aligned:
/// <code>
///  0  u32 crc32c   over the segment's sequence number, then bytes 4 .. end of padding
///  4  u32 payload length
///  8  u8  type, then 7 zero bytes
/// 16  u64 shard, u64 replica
/// 32  payload, zero-padded to a multiple of 8
/// </code>
/// Seeding the checksum with the segment's sequence number ties a record to its segment: bytes
/// left in a reused or preallocated file by an earlier segment never check out in the new one.
/// All integers are little-endian.
/// </summary>
internal static class WalFormat
{
    public const int HeaderSize = 32;
    public const int MaxPayload = 1 << 30;

    public static int Align(int n) => (n + 7) & ~7;

    public static int RecordSize(int payloadLength) => HeaderSize + Align(payloadLength);

    /// <summary>Writes a header with a zero checksum: the writer seals it once the segment is known.</summary>
    public static void WriteHeader(Span<byte> record, WalRecordType type, ReplicaId replica, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record, 0);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], payloadLength);
        record[8..16].Clear();
        record[8] = (byte)type;
        BinaryPrimitives.WriteUInt64LittleEndian(record[16..], replica.Shard);
        BinaryPrimitives.WriteUInt64LittleEndian(record[24..], replica.Replica);
        record[(HeaderSize + payloadLength)..RecordSize(payloadLength)].Clear();
    }

    /// <summary>Fills in the checksum of every record in <paramref name="batch"/> for segment <paramref name="seq"/>.</summary>
    public static void Seal(Span<byte> batch, ulong seq)
    {
        var offset = 0;
        while (offset < batch.Length)
        {
            var size = RecordSize(BinaryPrimitives.ReadInt32LittleEndian(batch[(offset + 4)..]));
            var record = batch.Slice(offset, size);
            BinaryPrimitives.WriteUInt32LittleEndian(record, Checksum(seq, record));
            offset += size;
        }
    }

    /// <summary>
    /// Reads the record at <paramref name="offset"/> if it is whole and checks out for segment
    /// <paramref name="seq"/>; otherwise returns false.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> segment, int offset, ulong seq, out WalRecord record)
    {
        record = default;
        if (segment.Length - offset < HeaderSize)
        {
            return false;
        }

        var header = segment.Slice(offset, HeaderSize);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var type = header[8];
        if (type is < (byte)WalRecordType.Append or > (byte)WalRecordType.Seal
            || header[9..16].ContainsAnyExcept((byte)0)
            || length < 0 || length > MaxPayload || RecordSize(length) > segment.Length - offset)
        {
            return false;
        }

        var whole = segment.Slice(offset, RecordSize(length));
        if (BinaryPrimitives.ReadUInt32LittleEndian(whole) != Checksum(seq, whole))
        {
            return false;
        }

        var replica = new ReplicaId(BinaryPrimitives.ReadUInt64LittleEndian(header[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[24..]));
        record = new WalRecord((WalRecordType)type, replica, offset, offset + HeaderSize, length);
        return true;
    }

    private static uint Checksum(ulong seq, ReadOnlySpan<byte> record)
    {
        var crc = BitOperations.Crc32C(~0u, seq);
        crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(record[4..]));
        return ~Crc32C.Update(crc, record[8..]);
    }
}

/// <summary>Where a checked record sits in its segment's bytes.</summary>
internal readonly record struct WalRecord(WalRecordType Type, ReplicaId Replica, int Offset, int PayloadOffset, int PayloadLength)
{
    public int Size => WalFormat.RecordSize(PayloadLength);
}
