using MultiRaft.Raft;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>Concurrent appenders share one write and one sync.</summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task AppendsMadeDuringASyncShareTheNextWriteAndSync()
    {
        var device = new FaultyWalDevice();
        await using var p = await OpenAsync(device);
        using var entered = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        device.BeforeSync = _ =>
        {
            entered.Release();
            release.Wait(Ct);
        };

        var first = p.Append(new ReplicaId(1, 1), new HardState(1, 1, 0), Entries(1, 1, 1));
        // The first waiter flushes inline, so it blocks in the sync: it needs a thread of its own.
        var firstDurable = Task.Run(() => p.WaitDurableAsync(first, Ct).AsTask(), Ct);
        await entered.WaitAsync(Ct);
        var appenders = Enumerable.Range(1, 64).Select(i => Task.Run(() =>
            p.Append(new ReplicaId(2, (ulong)i), new HardState(1, 0, 0), Entries(1, 1, 2, payload: i)), Ct)).ToArray();
        var positions = await Task.WhenAll(appenders);
        var waits = positions.Select(pos => p.WaitDurableAsync(pos, Ct).AsTask()).ToArray();
        Assert.All(waits, w => Assert.False(w.IsCompleted));

        device.BeforeSync = null;
        release.Release();
        await firstDurable;
        await Task.WhenAll(waits);

        Assert.Equal(2, device.SegmentWrites);
        Assert.Equal(2, device.SegmentSyncs);
        Assert.Equal(65, (await ReopenAsync(p, device)).Count);
    }

    [Fact]
    public async Task ADurablePositionCompletesAtOnceAndNothingIsDurableBeforeItsSync()
    {
        var device = new FaultyWalDevice();
        await using var p = await OpenAsync(device);
        using var entered = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var a = p.Append(new ReplicaId(1, 1), null, Entries(1, 1, 1));
        await p.WaitDurableAsync(a, Ct);
        Assert.True(p.WaitDurableAsync(a, Ct).AsTask().IsCompletedSuccessfully);

        device.BeforeSync = _ =>
        {
            entered.Release();
            release.Wait(Ct);
        };
        var b = p.Append(new ReplicaId(1, 1), null, Entries(1, 2, 1));
        var wait = Task.Run(() => p.WaitDurableAsync(b, Ct).AsTask(), Ct);
        await entered.WaitAsync(Ct);
        Assert.False(wait.IsCompleted); // written, not yet synced

        device.BeforeSync = null;
        release.Release();
        await wait;
    }

    [Fact]
    public async Task AppendingWakesNobodyAndTheFirstWaiterWritesAndSyncsOnItsOwnThread()
    {
        var device = new FaultyWalDevice();
        await using var p = await OpenAsync(device);
        var syncThreads = new List<int>();
        device.BeforeSync = _ =>
        {
            lock (syncThreads)
            {
                syncThreads.Add(Environment.CurrentManagedThreadId);
            }
        };

        for (var i = 1; i <= 50; i++)
        {
            var position = p.Append(new ReplicaId(1, 1), new HardState(1, 0, 0), Entries(1, (ulong)i, 1));
            // Work between the append and the wait, as a worker sends messages there: a writer
            // thread woken by the append would take the flush meanwhile.
            Thread.SpinWait(20_000);
            var wait = p.WaitDurableAsync(position, Ct);
            Assert.True(wait.IsCompletedSuccessfully);
        }

        Assert.Equal(50, device.SegmentSyncs);
        Assert.All(syncThreads, id => Assert.Equal(Environment.CurrentManagedThreadId, id));
    }

    private static async Task<Dictionary<ReplicaId, RecoveredReplica>> ReopenAsync(IStorageProvider p, FaultyWalDevice device)
    {
        await p.DisposeAsync();
        return await RecoverAsync(device);
    }
}
