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
        await entered.WaitAsync(Ct);
        var appenders = Enumerable.Range(1, 64).Select(i => Task.Run(() =>
            p.Append(new ReplicaId(2, (ulong)i), new HardState(1, 0, 0), Entries(1, 1, 2, payload: i)), Ct)).ToArray();
        var positions = await Task.WhenAll(appenders);
        var waits = positions.Select(pos => p.WaitDurableAsync(pos, Ct).AsTask()).ToArray();
        Assert.All(waits, w => Assert.False(w.IsCompleted));

        device.BeforeSync = null;
        release.Release();
        await p.WaitDurableAsync(first, Ct);
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
        await entered.WaitAsync(Ct);
        var wait = p.WaitDurableAsync(b, Ct).AsTask();
        Assert.False(wait.IsCompleted); // written, not yet synced

        device.BeforeSync = null;
        release.Release();
        await wait;
    }

    private static async Task<Dictionary<ReplicaId, RecoveredReplica>> ReopenAsync(IStorageProvider p, FaultyWalDevice device)
    {
        await p.DisposeAsync();
        return await RecoverAsync(device);
    }
}
