using System.Buffers.Binary;
using System.Text;
using MultiRaft.Raft;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// Serializes each record type into a <see cref="PendingBuffer"/> (checksums are filled in by the
/// writer). Payload layouts, little-endian:
/// <list type="bullet">
/// <item>Append: u32 flags (1 = has hard state), u32 count, u64 first index, [u64 term, vote, commit],
/// then per entry u64 term, u32 length, u8 type, 3 zero bytes, data. Indexes are consecutive.</item>
/// <item>SnapshotSaved / SnapshotInstalled: u64 index, u64 term, u32 name length, 4 zero bytes, UTF-8 file name.</item>
/// <item>Compacted: u64 index. Deleted: nothing. Seal: u64 offset of the seal itself.</item>
/// <item>Checkpoint: u32 flags (1 = has snapshot), u32 name length, u64 term, vote, commit, u64 base,
/// u64 snapshot index, u64 snapshot term, UTF-8 file name.</item>
/// </list>
/// </summary>
internal static class WalRecords
{
    public const int EntryHeaderSize = 16;

    public static void WriteAppend(PendingBuffer into, ReplicaId replica, HardState? hardState, ReadOnlySpan<Entry> entries)
    {
        long length = 16 + (hardState is null ? 0 : 24);
        foreach (ref readonly var e in entries)
        {
            length += EntryHeaderSize + e.Data.Length;
        }

        if (length > WalFormat.MaxPayload)
        {
            throw new ArgumentException($"{replica}: an append of {length} bytes exceeds the record limit {WalFormat.MaxPayload}");
        }

        var record = Begin(into, WalRecordType.Append, replica, (int)length);
        BinaryPrimitives.WriteUInt32LittleEndian(record, hardState is null ? 0u : 1u);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], entries.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], entries.IsEmpty ? 0 : entries[0].Index);
        var at = 16;
        if (hardState is { } hs)
        {
            at = WriteHardState(record, at, hs);
        }

        foreach (ref readonly var e in entries)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(record[at..], e.Term);
            BinaryPrimitives.WriteInt32LittleEndian(record[(at + 8)..], e.Data.Length);
            record[at + 12] = (byte)e.Type;
            record.Slice(at + 13, 3).Clear();
            e.Data.Span.CopyTo(record[(at + EntryHeaderSize)..]);
            at += EntryHeaderSize + e.Data.Length;
        }
    }

    public static void WriteSnapshot(PendingBuffer into, WalRecordType type, ReplicaId replica, SnapshotPointer snapshot)
    {
        var nameLength = Encoding.UTF8.GetByteCount(snapshot.File);
        var record = Begin(into, type, replica, 24 + nameLength);
        BinaryPrimitives.WriteUInt64LittleEndian(record, snapshot.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], snapshot.Term);
        BinaryPrimitives.WriteInt32LittleEndian(record[16..], nameLength);
        record.Slice(20, 4).Clear();
        Encoding.UTF8.GetBytes(snapshot.File, record[24..]);
    }

    public static void WriteCompacted(PendingBuffer into, ReplicaId replica, ulong index) =>
        BinaryPrimitives.WriteUInt64LittleEndian(Begin(into, WalRecordType.Compacted, replica, 8), index);

    public static void WriteDeleted(PendingBuffer into, ReplicaId replica) => Begin(into, WalRecordType.Deleted, replica, 0);

    public static void WriteCheckpoint(PendingBuffer into, ReplicaId replica, HardState hardState, ulong logBase, SnapshotPointer? snapshot)
    {
        var name = snapshot?.File ?? "";
        var nameLength = Encoding.UTF8.GetByteCount(name);
        var record = Begin(into, WalRecordType.Checkpoint, replica, 56 + nameLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record, snapshot is null ? 0u : 1u);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], nameLength);
        var at = WriteHardState(record, 8, hardState);
        BinaryPrimitives.WriteUInt64LittleEndian(record[at..], logBase);
        BinaryPrimitives.WriteUInt64LittleEndian(record[(at + 8)..], snapshot?.Index ?? 0);
        BinaryPrimitives.WriteUInt64LittleEndian(record[(at + 16)..], snapshot?.Term ?? 0);
        Encoding.UTF8.GetBytes(name, record[(at + 24)..]);
    }

    /// <summary>A complete seal record (checksum still zero) for a segment whose records end at <paramref name="offset"/>.</summary>
    public static byte[] Seal(long offset)
    {
        var buffer = new PendingBuffer();
        BinaryPrimitives.WriteInt64LittleEndian(Begin(buffer, WalRecordType.Seal, default, 8), offset);
        return buffer.Written.ToArray();
    }

    private static Span<byte> Begin(PendingBuffer into, WalRecordType type, ReplicaId replica, int payloadLength)
    {
        var record = into.Reserve(WalFormat.RecordSize(payloadLength));
        WalFormat.WriteHeader(record, type, replica, payloadLength);
        return record.Slice(WalFormat.HeaderSize, payloadLength);
    }

    private static int WriteHardState(Span<byte> payload, int at, HardState hs)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(payload[at..], hs.Term);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[(at + 8)..], hs.Vote);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[(at + 16)..], hs.Commit);
        return at + 24;
    }
}
