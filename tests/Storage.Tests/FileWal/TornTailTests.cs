using MultiRaft.Raft;
using MultiRaft.Storage.FileWal;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// TESTING.md 23, first half: a record cut short by a crash at any byte is the end of the log.
/// Recovery drops it, zeroes its bytes, and the log goes on from there.
/// </summary>
public sealed class TornTailTests
{
    private static readonly ReplicaId A = new(1, 1);
    private static readonly ReplicaId B = new(1, 2);
    private static readonly ReplicaId C = new(3, 9);

    /// <summary>
    /// Writes two durable records, then a third whose sync never happens (the device dies after
    /// the write); returns the dead device, the head's name and the torn record's span.
    /// </summary>
    private static async Task<(FaultyWalDevice Device, string Head, int Start, int Length)> TearLastRecordAsync()
    {
        var device = new FaultyWalDevice();
        var p = await OpenAsync(device);
        await AppendDurably(p, A, new HardState(1, 1, 2), Entries(1, 1, 3));
        await AppendDurably(p, B, new HardState(2, 2, 0), Entries(2, 1, 2));
        var start = device.Contents(Head(device)).Length;

        device.DieAfter = device.Operations + 1; // the write lands, its sync fails
        var position = p.Append(C, new HardState(3, 9, 1), Entries(3, 1, 4));
        await Assert.ThrowsAsync<StorageFaultException>(async () => await p.WaitDurableAsync(position, Ct));
        var length = device.Contents(Head(device)).Length - start;
        await p.DisposeAsync();
        return (device, Head(device), start, length);
    }

    private static void AssertFirstTwoRecords(Dictionary<ReplicaId, RecoveredReplica> state)
    {
        Assert.Equal(new HardState(1, 1, 2), state[A].HardState);
        Assert.Equal(Entries(1, 1, 3), state[A].Entries);
        Assert.Equal(new HardState(2, 2, 0), state[B].HardState);
        Assert.Equal(Entries(2, 1, 2), state[B].Entries);
    }

    [Fact]
    public async Task ATornLastRecordIsDroppedAtEveryByteOffset()
    {
        var (device, head, start, length) = await TearLastRecordAsync();
        Assert.Equal(WalFormat.RecordSize(16 + 24 + (4 * (WalRecords.EntryHeaderSize + 16))), length);

        for (var keep = 0; keep < length; keep++)
        {
            var image = device.PowerCut(tearLastWriteAt: keep);
            var state = await RecoverAsync(image);

            Assert.Equal(2, state.Count);
            AssertFirstTwoRecords(state);
            var bytes = image.Contents(head);
            Assert.True(bytes.Length <= start + length);
            Assert.All(bytes[start..], b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public async Task AWholeButUnsyncedLastRecordIsKept()
    {
        var (device, _, _, length) = await TearLastRecordAsync();

        var state = await RecoverAsync(device.PowerCut(tearLastWriteAt: length));

        AssertFirstTwoRecords(state);
        Assert.Equal(Entries(3, 1, 4), state[C].Entries);
    }

    [Fact]
    public async Task ATornRecordFollowedByZeroesIsDroppedAtEveryByteOffset()
    {
        // Some file systems extend the file before the data lands: the rest of the record reads as zeroes.
        var (device, head, start, length) = await TearLastRecordAsync();
        var whole = device.PowerCut(tearLastWriteAt: length).Contents(head);

        for (var keep = 0; keep < length; keep++)
        {
            var image = device.PowerCut();
            var bytes = (byte[])whole.Clone();
            Array.Clear(bytes, start + keep, length - keep);
            image.Overwrite(head, bytes);

            var state = await RecoverAsync(image);

            Assert.Equal(2, state.Count);
            AssertFirstTwoRecords(state);
        }
    }

    [Fact]
    public async Task TheLogContinuesAfterATruncatedTail()
    {
        var (device, head, start, length) = await TearLastRecordAsync();
        var image = device.PowerCut(tearLastWriteAt: length / 2);

        await using (var p = await OpenAsync(image))
        {
            await AppendDurably(p, C, new HardState(4, 0, 0), Entries(4, 1, 2));
        }

        var state = await RecoverAsync(image);
        AssertFirstTwoRecords(state);
        Assert.Equal(Entries(4, 1, 2), state[C].Entries);
        Assert.Equal(new HardState(4, 0, 0), state[C].HardState);
        Assert.Equal(head, Head(image));
        Assert.True(image.Contents(head).Length > start);
    }
}
