using System.Buffers.Binary;
using System.Globalization;
using MultiRaft.Raft;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// Snapshots live in files of their own beside the segments, so a multi-megabyte image never
/// passes through the group commit. A file is written under a temporary name, synced, renamed
/// and the directory synced before the WAL record that points at it is appended: a pointer in
/// the log therefore always names a whole file. Layout, little-endian:
/// <code>
/// u32 crc32c of everything after it, u32 magic, u64 shard, u64 replica, u64 index, u64 term,
/// u32 auto-leave, then voters, outgoing voters, learners, learners-next (each u32 count + u64s),
/// u64 data length, data
/// </code>
/// </summary>
internal static class SnapshotFiles
{
    public const string Prefix = "snap-";
    public const string Suffix = ".snap";
    public const string TempSuffix = ".tmp";
    private const uint Magic = 0x4E53524D; // "MRSN"

    public static bool IsSnapshot(string name) => name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Suffix, StringComparison.Ordinal);

    /// <summary>A fresh name: the random part keeps two snapshots at one index (save, then install) apart.</summary>
    public static string NewName(ReplicaId replica, ulong index) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{replica.Shard}.{replica.Replica}-{index:D20}-{Guid.NewGuid():N}{Suffix}");

    /// <summary>Writes the file durably under <paramref name="name"/> (temp, sync, rename, directory sync).</summary>
    public static void WriteDurably(IWalDevice device, string name, ReplicaId replica, Snapshot snapshot)
    {
        // The header is written apart from the data so that the (large) data is never copied.
        var header = EncodeHeader(replica, snapshot);
        var temp = name + TempSuffix;
        using (var file = device.Create(temp, 0))
        {
            file.Write(0, header);
            file.Write(header.Length, snapshot.Data.Span);
            file.Sync();
        }

        device.Rename(temp, name);
        device.SyncDirectory();
    }

    /// <summary>Reads and checks the file a WAL pointer names.</summary>
    public static Snapshot Read(IWalDevice device, ReplicaId replica, SnapshotPointer pointer)
    {
        byte[] bytes;
        try
        {
            using var file = device.Open(pointer.File);
            bytes = new byte[file.Length];
            if (file.Read(0, bytes) != bytes.Length)
            {
                throw new StorageCorruptionException(PathOf(device, pointer.File), 0, "snapshot file shorter than its length");
            }
        }
        catch (FileNotFoundException e)
        {
            throw new StorageCorruptionException($"{replica}: snapshot file {PathOf(device, pointer.File)} named by the log is missing", e);
        }

        try
        {
            return Decode(bytes, replica, pointer);
        }
        catch (InvalidDataException e)
        {
            throw new StorageCorruptionException(PathOf(device, pointer.File), 0, e.Message);
        }
    }

    public static string PathOf(IWalDevice device, string name) => Path.Combine(device.Location, name);

    // Everything before the data, with the CRC over the header after the CRC field and the data.
    private static byte[] EncodeHeader(ReplicaId replica, Snapshot s)
    {
        var cs = s.ConfState;
        var size = 44 + (4 * 4) + (8 * (cs.Voters.Count + cs.VotersOutgoing.Count + cs.Learners.Count + cs.LearnersNext.Count)) + 8;
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], replica.Shard);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], replica.Replica);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], s.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], s.Term);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], cs.AutoLeave ? 1u : 0u);
        var at = 44;
        foreach (var ids in new[] { cs.Voters, cs.VotersOutgoing, cs.Learners, cs.LearnersNext })
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], ids.Count);
            at += 4;
            foreach (var id in ids)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(span[at..], id);
                at += 8;
            }
        }

        BinaryPrimitives.WriteInt64LittleEndian(span[at..], s.Data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span, ~Crc32C.Update(Crc32C.Update(~0u, span[4..]), s.Data.Span));
        return bytes;
    }

    private static Snapshot Decode(byte[] bytes, ReplicaId replica, SnapshotPointer pointer)
    {
        ReadOnlySpan<byte> span = bytes;
        if (span.Length < 44 || BinaryPrimitives.ReadUInt32LittleEndian(span) != Crc32C.Compute(span[4..])
            || BinaryPrimitives.ReadUInt32LittleEndian(span[4..]) != Magic)
        {
            throw new InvalidDataException("snapshot file checksum mismatch");
        }

        var owner = new ReplicaId(BinaryPrimitives.ReadUInt64LittleEndian(span[8..]), BinaryPrimitives.ReadUInt64LittleEndian(span[16..]));
        var index = BinaryPrimitives.ReadUInt64LittleEndian(span[24..]);
        var term = BinaryPrimitives.ReadUInt64LittleEndian(span[32..]);
        if (owner != replica || index != pointer.Index || term != pointer.Term)
        {
            throw new InvalidDataException($"snapshot file holds {owner} {term}/{index}, the log expects {replica} {pointer.Term}/{pointer.Index}");
        }

        var autoLeave = BinaryPrimitives.ReadUInt32LittleEndian(span[40..]) != 0;
        var at = 44;
        var lists = new ulong[4][];
        for (var l = 0; l < 4; l++)
        {
            Need(span, at + 4);
            var count = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            at += 4;
            if (count < 0 || count > (span.Length - at) / 8)
            {
                throw new InvalidDataException($"snapshot file membership list of {count} ids does not fit");
            }

            lists[l] = new ulong[count];
            for (var i = 0; i < count; i++)
            {
                lists[l][i] = BinaryPrimitives.ReadUInt64LittleEndian(span[at..]);
                at += 8;
            }
        }

        Need(span, at + 8);
        var length = BinaryPrimitives.ReadInt64LittleEndian(span[at..]);
        if (length != span.Length - at - 8)
        {
            throw new InvalidDataException($"snapshot file data length {length} does not match the file");
        }

        var cs = new ConfState(lists[0], lists[1], lists[2], lists[3], autoLeave);
        return new Snapshot(index, term, cs, bytes.AsMemory(at + 8));
    }

    private static void Need(ReadOnlySpan<byte> span, int length)
    {
        if (span.Length < length)
        {
            throw new InvalidDataException("snapshot file is shorter than its layout");
        }
    }
}
