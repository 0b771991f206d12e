using System.Buffers.Binary;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// Finds the good records of one segment and decides what a bad one means. Every segment but
/// the newest was synced before its successor was created and ends with a seal, so any bad
/// record in it is corruption. In the newest, the first bad record is a torn tail (a write cut
/// short by a crash) only if no good record follows it; otherwise it is damage in the middle of
/// acknowledged data and recovery must stop rather than silently drop what follows.
/// </summary>
internal static class SegmentScanner
{
    public readonly record struct Result(int End, bool Sealed, bool DirtyTail);

    /// <summary>Calls <paramref name="onRecord"/> for each good record in order and returns where they end.</summary>
    public static Result Scan(ReadOnlySpan<byte> bytes, ulong seq, bool newest, string path, Action<WalRecord> onRecord)
    {
        var offset = 0;
        while (WalFormat.TryRead(bytes, offset, seq, out var record))
        {
            if (record.Type == WalRecordType.Seal)
            {
                var sealedAt = BinaryPrimitives.ReadInt64LittleEndian(bytes[record.PayloadOffset..]);
                if (sealedAt != offset)
                {
                    throw new StorageCorruptionException(path, offset, $"seal records an end at {sealedAt}");
                }

                return new Result(offset, Sealed: true, DirtyTail: false);
            }

            onRecord(record);
            offset += record.Size;
        }

        if (!newest)
        {
            throw new StorageCorruptionException(path, offset, "damaged record (or missing seal) in a sealed segment");
        }

        // Records are 8-byte aligned, so a good record after the damage can only start on one.
        for (var later = offset + 8; later + WalFormat.HeaderSize <= bytes.Length; later += 8)
        {
            if (WalFormat.TryRead(bytes, later, seq, out _))
            {
                throw new StorageCorruptionException(path, offset, $"damaged record before a good one at offset {later}");
            }
        }

        return new Result(offset, Sealed: false, DirtyTail: bytes[offset..].ContainsAnyExcept((byte)0));
    }
}
