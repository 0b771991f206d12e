using System.Buffers.Binary;
using MultiRaft.Raft;
using MultiRaft.Storage.FileWal;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// Records whose checksum is good but whose content is not (a bug, or a forged file) stop
/// recovery with an error naming the file and the record's offset, whether the entries they hold
/// are still live or long dead: recovery's first pass decodes no entry, but it checks every one.
/// And the second pass, which decodes only the live entries, gives each its place.
/// </summary>
public sealed class ForgedRecordTests
{
    private static readonly ReplicaId A = new(1, 1);

    // An append's payload: flags, count, first index, a hard state (these tests always write one),
    // then per entry term (8), data length (4), type (1), 3 bytes of padding, data.
    private const int FirstIndexAt = 8;
    private const int FirstEntryLengthAt = 16 + 24 + 8;

    [Fact]
    public async Task A_dead_append_whose_entry_runs_past_its_record_is_corruption()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device))
        {
            await AppendDurably(p, A, new HardState(1, 1, 2), Entries(1, 1, 2));
            await AppendDurably(p, A, new HardState(1, 1, 4), Entries(1, 3, 2));
            await p.SaveSnapshotAsync(A, Snap(4, 1), Ct);
            await p.CompactAsync(A, 4, Ct);
            await AppendDurably(p, A, new HardState(1, 1, 6), Entries(1, 5, 2));
        }

        await AssertRecoveryFailsAtAsync(device, record: 0, (payload) =>
            BinaryPrimitives.WriteInt32LittleEndian(payload[FirstEntryLengthAt..], 1 << 20), "runs past its payload");
    }

    [Fact]
    public async Task An_append_that_leaves_a_gap_after_the_live_entries_is_corruption()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device))
        {
            await AppendDurably(p, A, new HardState(1, 1, 2), Entries(1, 1, 2));
            await AppendDurably(p, A, new HardState(1, 1, 4), Entries(1, 3, 2));
        }

        await AssertRecoveryFailsAtAsync(device, record: 1, (payload) =>
            BinaryPrimitives.WriteUInt64LittleEndian(payload[FirstIndexAt..], 5), "entries from 5 leave a gap after 2");
    }

    [Fact]
    public async Task A_log_whose_entries_start_far_above_its_base_is_corruption()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device))
        {
            await AppendDurably(p, A, new HardState(1, 1, 2), Entries(1, 1, 2));
        }

        var (image, _, _) = Forge(device, record: 0, (payload) =>
            BinaryPrimitives.WriteUInt64LittleEndian(payload[FirstIndexAt..], 1UL << 40));

        // Not an overflow from sizing the replica's entries by the forged index.
        var e = await Assert.ThrowsAsync<StorageCorruptionException>(async () => await Provider(image).RecoverAsync(Ct));

        Assert.Contains($"{A}: the log in {image.Location} holds entries from {1UL << 40} but the replica's base is 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_entries_come_from_the_records_that_wrote_them_last()
    {
        var device = new FaultyWalDevice();
        var first = Entries(1, 1, 4);
        var overwrite = Entries(2, 3, 3);
        var later = Entries(2, 6, 2);
        await using (var p = await OpenAsync(device))
        {
            await AppendDurably(p, A, new HardState(1, 1, 0), first);
            await AppendDurably(p, A, new HardState(2, 1, 2), overwrite); // replaces 3 and 4
            await AppendDurably(p, A, new HardState(2, 1, 5), later);
            await p.SaveSnapshotAsync(A, Snap(3, 2), Ct);
            await p.CompactAsync(A, 3, Ct); // the first record is all dead, the second's first entry too
        }

        var recovered = await RecoverAsync(device.ProcessCrash());

        var entries = recovered[A].Entries;
        Assert.Equal([4UL, 5, 6, 7], entries.Select(x => x.Index));
        Assert.Equal([2UL, 2, 2, 2], entries.Select(x => x.Term));
        Assert.Equal(overwrite[1].Data.ToArray(), entries[0].Data.ToArray());
        Assert.Equal(overwrite[2].Data.ToArray(), entries[1].Data.ToArray());
        Assert.Equal(later[0].Data.ToArray(), entries[2].Data.ToArray());
        Assert.Equal(later[1].Data.ToArray(), entries[3].Data.ToArray());
        Assert.Equal(new HardState(2, 1, 5), recovered[A].HardState);
        Assert.Equal(3UL, recovered[A].Snapshot?.Index);
    }

    // Forges record number `record` of the head segment (its payload changed by `change`, its
    // checksum made good again) in a crashed image of the device, and expects recovery to stop
    // there with an error naming the file, the record's offset and `reason`.
    private static async Task AssertRecoveryFailsAtAsync(FaultyWalDevice device, int record, SpanAction change, string reason)
    {
        var (image, head, offsets) = Forge(device, record, change);

        var e = await Assert.ThrowsAsync<StorageCorruptionException>(async () => await Provider(image).RecoverAsync(Ct));

        Assert.Equal(Path.Combine(image.Location, head), e.Path);
        Assert.Equal(offsets[record], e.Offset);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    private static (FaultyWalDevice Image, string Head, int[] Offsets) Forge(FaultyWalDevice device, int record, SpanAction change)
    {
        var image = device.ProcessCrash();
        var head = Head(image);
        Assert.True(WalSegment.TryParse(head, out var seq));
        var bytes = image.Contents(head);
        var offsets = CorruptionTests.RecordOffsets(bytes, seq);
        Assert.True(WalFormat.TryRead(bytes, offsets[record], seq, out var found));
        Assert.Equal(WalRecordType.Append, found.Type);
        change(bytes.AsSpan(found.PayloadOffset, found.PayloadLength));
        WalFormat.Seal(bytes.AsSpan(found.Offset, found.Size), seq);
        image.Overwrite(head, bytes);
        return (image, head, offsets);
    }

    private delegate void SpanAction(Span<byte> payload);
}
