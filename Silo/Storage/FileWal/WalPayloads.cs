using System.Buffers.Binary;
using System.Text;
using MultiRaft.Raft;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// Decodes the payloads <see cref="WalRecords"/> writes. A payload that passed its checksum but
/// does not decode is a bug or a forged record: <see cref="InvalidDataException"/>, which recovery
/// reports as corruption at the record's offset.
/// </summary>
internal static class WalPayloads
{
    /// <summary>
    /// An append's hard state and index range (recovery's first pass): every entry's framing is
    /// checked, none is decoded.
    /// </summary>
    public static (HardState? HardState, ulong FirstIndex, int Count) ReadAppendShape(ReadOnlySpan<byte> p)
    {
        var (hs, first, count, at) = ReadAppendHeader(p);
        for (var i = 0; i < count; i++)
        {
            at = ReadEntryHeader(p, at, out _, out _, out var length) + length;
        }

        return (hs, first, count);
    }

    /// <summary>
    /// Decodes the append's entries with indexes <paramref name="from"/> to <paramref name="to"/>
    /// into <paramref name="into"/>, the first at <paramref name="offset"/> (recovery's second
    /// pass, which knows which entries are still live).
    /// </summary>
    public static void ReadAppendEntries(ReadOnlySpan<byte> p, ulong from, ulong to, Entry[] into, int offset)
    {
        var (_, first, count, at) = ReadAppendHeader(p);
        if (from < first || from > to || to - first >= (ulong)count)
        {
            throw new InvalidDataException($"append record of entries {first} to {first + (ulong)count - 1} asked for {from} to {to}");
        }

        for (var index = first; index <= to; index++)
        {
            at = ReadEntryHeader(p, at, out var term, out var type, out var length);
            if (index >= from)
            {
                into[offset + (int)(index - from)] = new Entry(term, index, type, p.Slice(at, length).ToArray());
            }

            at += length;
        }
    }

    private static (HardState? HardState, ulong FirstIndex, int Count, int At) ReadAppendHeader(ReadOnlySpan<byte> p)
    {
        Need(p, 16);
        var hasHardState = (BinaryPrimitives.ReadUInt32LittleEndian(p) & 1) != 0;
        var count = BinaryPrimitives.ReadInt32LittleEndian(p[4..]);
        var first = BinaryPrimitives.ReadUInt64LittleEndian(p[8..]);
        var at = 16;
        HardState? hs = null;
        if (hasHardState)
        {
            hs = ReadHardState(p, at);
            at += 24;
        }

        if (count < 0 || count > (p.Length - at) / WalRecords.EntryHeaderSize)
        {
            throw new InvalidDataException($"append record claims {count} entries in {p.Length} bytes");
        }

        return (hs, first, count, at);
    }

    // Returns where the entry's data starts; its length is checked against the payload.
    private static int ReadEntryHeader(ReadOnlySpan<byte> p, int at, out ulong term, out EntryType type, out int length)
    {
        Need(p, at + WalRecords.EntryHeaderSize);
        term = BinaryPrimitives.ReadUInt64LittleEndian(p[at..]);
        length = BinaryPrimitives.ReadInt32LittleEndian(p[(at + 8)..]);
        type = (EntryType)p[at + 12];
        at += WalRecords.EntryHeaderSize;
        if (length < 0)
        {
            throw new InvalidDataException($"entry of negative length {length}");
        }

        if (length > p.Length - at)
        {
            throw new InvalidDataException($"entry of {length} bytes runs past its payload of {p.Length}");
        }

        return at;
    }

    public static SnapshotPointer ReadSnapshot(ReadOnlySpan<byte> p)
    {
        Need(p, 24);
        var name = ReadName(p, 24, BinaryPrimitives.ReadInt32LittleEndian(p[16..]));
        return new SnapshotPointer(BinaryPrimitives.ReadUInt64LittleEndian(p), BinaryPrimitives.ReadUInt64LittleEndian(p[8..]), name);
    }

    public static ulong ReadIndex(ReadOnlySpan<byte> p)
    {
        Need(p, 8);
        return BinaryPrimitives.ReadUInt64LittleEndian(p);
    }

    public static (HardState HardState, ulong Base, SnapshotPointer? Snapshot) ReadCheckpoint(ReadOnlySpan<byte> p)
    {
        Need(p, 56);
        var hasSnapshot = (BinaryPrimitives.ReadUInt32LittleEndian(p) & 1) != 0;
        var name = ReadName(p, 56, BinaryPrimitives.ReadInt32LittleEndian(p[4..]));
        var hs = ReadHardState(p, 8);
        var logBase = BinaryPrimitives.ReadUInt64LittleEndian(p[32..]);
        var snapshot = hasSnapshot
            ? new SnapshotPointer(BinaryPrimitives.ReadUInt64LittleEndian(p[40..]), BinaryPrimitives.ReadUInt64LittleEndian(p[48..]), name)
            : null;
        return (hs, logBase, snapshot);
    }

    private static HardState ReadHardState(ReadOnlySpan<byte> p, int at)
    {
        Need(p, at + 24);
        return new HardState(BinaryPrimitives.ReadUInt64LittleEndian(p[at..]),
            BinaryPrimitives.ReadUInt64LittleEndian(p[(at + 8)..]), BinaryPrimitives.ReadUInt64LittleEndian(p[(at + 16)..]));
    }

    private static string ReadName(ReadOnlySpan<byte> p, int at, int length)
    {
        if (length < 0)
        {
            throw new InvalidDataException($"file name of negative length {length}");
        }

        Need(p, at + length);
        return Encoding.UTF8.GetString(p.Slice(at, length));
    }

    private static void Need(ReadOnlySpan<byte> p, int length)
    {
        if (p.Length < length)
        {
            throw new InvalidDataException($"payload of {p.Length} bytes is shorter than the {length} its layout needs");
        }
    }
}
