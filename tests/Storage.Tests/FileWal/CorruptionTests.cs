using MultiRaft.Raft;
using MultiRaft.Storage.FileWal;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// TESTING.md 23, second half: damage before the last good record is not a torn tail. Recovery
/// stops with an error naming the file and the offset of the damaged record, and the provider
/// stays stopped.
/// </summary>
public sealed class CorruptionTests
{
    private static readonly ReplicaId A = new(1, 1);

    /// <summary>Three durable records in one segment; returns their offsets.</summary>
    private static async Task<(FaultyWalDevice Device, string Head, int[] Offsets)> ThreeRecordsAsync()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device))
        {
            for (ulong i = 0; i < 3; i++)
            {
                await AppendDurably(p, A, new HardState(1, 1, i), Entries(1, 1 + (i * 2), 2));
            }
        }

        var head = Head(device);
        return (device, head, RecordOffsets(device.Contents(head), 1));
    }

    internal static int[] RecordOffsets(byte[] segment, ulong seq)
    {
        var offsets = new List<int>();
        var at = 0;
        while (WalFormat.TryRead(segment, at, seq, out var record))
        {
            offsets.Add(at);
            at += record.Size;
        }

        return [.. offsets];
    }

    [Fact]
    public async Task ABitFlippedAnywhereInAMiddleRecordStopsRecoveryNamingFileAndOffset()
    {
        var (device, head, offsets) = await ThreeRecordsAsync();
        Assert.Equal(3, offsets.Length);

        for (var at = offsets[1]; at < offsets[2]; at++)
        {
            var image = device.ProcessCrash();
            image.FlipBit(head, at, bit: at % 8);
            var p = Provider(image);

            var e = await Assert.ThrowsAsync<StorageCorruptionException>(async () => await p.RecoverAsync(Ct));

            Assert.Equal(Path.Combine(image.Location, head), e.Path);
            Assert.Equal(offsets[1], e.Offset);
            Assert.Contains($"{head} at offset {offsets[1]}", e.Message, StringComparison.Ordinal);
            Assert.Throws<StorageFaultException>(() => p.Append(A, null, []));
            await p.DisposeAsync();
        }
    }

    [Fact]
    public async Task ABitFlippedInTheLastRecordIsATornTail()
    {
        var (device, head, offsets) = await ThreeRecordsAsync();
        var image = device.ProcessCrash();
        image.FlipBit(head, offsets[2] + 40);

        var state = await RecoverAsync(image);

        Assert.Equal(new HardState(1, 1, 1), state[A].HardState);
        Assert.Equal(Entries(1, 1, 4), state[A].Entries);
    }

    [Fact]
    public async Task DamageAtTheEndOfASealedSegmentIsCorruptionNotATornTail()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device, segmentSize: 4096))
        {
            for (ulong i = 1; i <= 40; i++)
            {
                await AppendDurably(p, A, new HardState(1, 1, i), Entries(1, i, 1, payload: 200));
            }
        }

        var first = device.List()[0];
        Assert.True(WalSegment.TryParse(first, out var seq));
        var offsets = RecordOffsets(device.Contents(first), seq);
        var lastRecord = offsets[^1];
        device.FlipBit(first, lastRecord + 33);

        var e = await Assert.ThrowsAsync<StorageCorruptionException>(async () => await RecoverAsync(device));

        Assert.Equal(Path.Combine(device.Location, first), e.Path);
        Assert.Equal(lastRecord, e.Offset);
    }

    [Fact]
    public async Task ADamagedSnapshotFileStopsRecoveryNamingTheFile()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device))
        {
            await AppendDurably(p, A, new HardState(1, 1, 3), Entries(1, 1, 4));
            await p.SaveSnapshotAsync(A, Snap(3, 1), Ct);
        }

        var snapshot = device.List().Single(SnapshotFiles.IsSnapshot);
        device.FlipBit(snapshot, 50);

        var e = await Assert.ThrowsAsync<StorageCorruptionException>(async () => await RecoverAsync(device));

        Assert.Equal(Path.Combine(device.Location, snapshot), e.Path);
    }
}
