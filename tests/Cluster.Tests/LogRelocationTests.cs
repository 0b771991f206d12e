using System.Diagnostics.Metrics;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage;
using MultiRaft.Storage.FileWal;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// A replica that holds back the oldest WAL file (which one that never reaches its snapshot
/// threshold would hold forever) frees it: with a few live entries by writing them again at the
/// log's head, with more by a snapshot taken early.
/// </summary>
public sealed class LogRelocationTests
{
    [Theory]
    [InlineData(12, false)]
    [InlineData(80, true)]
    public async Task The_engine_frees_the_oldest_file_an_idle_replica_holds_back(int writes, bool bySnapshot)
    {
        var dir = Directory.CreateTempSubdirectory("multiraft-relocation-");
        try
        {
            using var meter = new Meter(MultiRaftMeter.Name);
            var provider = new FileWalProvider(new FileWalOptions { Directory = dir.FullName, SegmentSize = 4096, PreallocateSize = 0 });
            // A minute's tick: the engine's own once-a-second pass does not run during the test.
            await using var single = await SingleVoterEngine.StartAsync(provider, meter, TestContext.Current.CancellationToken, tickMs: 60_000);
            var id = new ReplicaId(1, 1);

            // About three entries per 4 KiB file: the shard's entries span several files.
            for (var i = 0; i < writes; i++)
            {
                await single.WriteAsync($"{i:D3}" + new string('k', 1000));
            }

            Assert.True(Directory.GetFiles(dir.FullName, "wal-*.log").Length >= 3);
            Assert.Equal([id], ((ILogHoldBacks)provider).HoldingBackOldest(max: 10).Select(h => h.Replica));
            var snapshotBefore = single.Engine.Store.Find(id)!.GetSnapshot()!.Index;
            single.Engine.RelocateHoldBacks();
            // The second operation runs after the turn that took the first's snapshot.
            await single.TurnsDoneAsync();
            await single.TurnsDoneAsync();

            Assert.Empty(((ILogHoldBacks)provider).HoldingBackOldest(max: 10));
            var snapshotAfter = single.Engine.Store.Find(id)!.GetSnapshot()!.Index;
            Assert.Equal(bySnapshot, snapshotAfter > snapshotBefore);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
