using MultiRaft.Raft;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// TESTING.md 24: a failed fsync stops the provider. The waiter is not told success, nothing is
/// reported durable afterwards, every later call throws, and the sync is never retried (after
/// a failed fsync Linux may have dropped the dirty pages, so a retry could "succeed" without
/// the data).
/// </summary>
public sealed class FsyncFailureTests
{
    private static readonly ReplicaId A = new(1, 1);
    private static readonly ReplicaId B = new(1, 2);

    [Fact]
    public async Task AFailedFsyncStopsTheProviderAndIsNeverRetried()
    {
        var device = new FaultyWalDevice();
        var p = await OpenAsync(device);
        var durable = p.Append(A, new HardState(1, 1, 0), Entries(1, 1, 2));
        await p.WaitDurableAsync(durable, Ct);

        device.FailNextSyncs(1);
        var lost = p.Append(B, new HardState(1, 2, 0), Entries(1, 1, 2));
        await Assert.ThrowsAsync<StorageFaultException>(async () => await p.WaitDurableAsync(lost, Ct));
        var syncs = device.SegmentSyncs;
        var writes = device.SegmentWrites;

        Assert.Throws<StorageFaultException>(() => p.Append(A, null, Entries(1, 3, 1)));
        await Assert.ThrowsAsync<StorageFaultException>(async () => await p.WaitDurableAsync(lost, Ct));
        await Assert.ThrowsAsync<StorageFaultException>(async () => await p.WaitDurableAsync(durable, Ct));
        await Assert.ThrowsAsync<StorageFaultException>(async () => await p.SaveSnapshotAsync(A, Snap(1, 1), Ct));
        await Assert.ThrowsAsync<StorageFaultException>(async () => await p.CompactAsync(A, 1, Ct));
        await Assert.ThrowsAsync<StorageFaultException>(async () => await p.DeleteReplicaAsync(A, Ct));
        await p.DisposeAsync();

        Assert.Equal(syncs, device.SegmentSyncs);
        Assert.Equal(writes, device.SegmentWrites);
        var state = await RecoverAsync(device.PowerCut());
        Assert.Equal(Entries(1, 1, 2), state[A].Entries);
        Assert.False(state.ContainsKey(B));
    }

    [Fact]
    public async Task EveryWaiterOfTheFailedBatchIsFailed()
    {
        var device = new FaultyWalDevice();
        var p = await OpenAsync(device);
        using var entered = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var syncs = 0;
        device.BeforeSync = _ =>
        {
            if (++syncs == 1)
            {
                entered.Release();
                release.Wait(Ct); // hold the first batch in its sync while the next one gathers
                return;
            }

            throw new IOException("injected: fsync failed (EIO)");
        };

        var first = p.Append(A, new HardState(1, 1, 0), Entries(1, 1, 1));
        // The first waiter flushes inline, so it blocks in the sync: it needs a thread of its own.
        var firstDurable = Task.Run(() => p.WaitDurableAsync(first, Ct).AsTask(), Ct);
        await entered.WaitAsync(Ct);
        var batch = Enumerable.Range(1, 10).Select(i => p.Append(new ReplicaId(5, (ulong)i), null, Entries(1, 1, 1))).ToArray();
        release.Release();

        await firstDurable;
        foreach (var position in batch)
        {
            await Assert.ThrowsAsync<StorageFaultException>(async () => await p.WaitDurableAsync(position, Ct));
        }

        Assert.Equal(2, syncs);
        await p.DisposeAsync();
        Assert.Equal(2, syncs);
        var state = await RecoverAsync(device.PowerCut());
        Assert.Equal([A], state.Keys);
    }

    [Fact]
    public async Task AFailedSnapshotFileSyncStopsTheProvider()
    {
        var device = new FaultyWalDevice();
        var p = await OpenAsync(device);
        await AppendDurably(p, A, new HardState(1, 1, 3), Entries(1, 1, 4));

        device.FailNextSyncs(1);
        await Assert.ThrowsAsync<StorageFaultException>(async () => await p.SaveSnapshotAsync(A, Snap(3, 1), Ct));

        Assert.Throws<StorageFaultException>(() => p.Append(A, null, Entries(1, 5, 1)));
        await p.DisposeAsync();
        var state = await RecoverAsync(device.PowerCut());
        Assert.Null(state[A].Snapshot);
        Assert.Equal(Entries(1, 1, 4), state[A].Entries);
        Assert.DoesNotContain(device.PowerCut().List(), n => n.EndsWith(".tmp", StringComparison.Ordinal));
    }
}
