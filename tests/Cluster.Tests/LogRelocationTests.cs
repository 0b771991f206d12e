using System.Diagnostics.Metrics;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage;
using MultiRaft.Storage.FileWal;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// An idle replica's few live entries are written again at the log's head, so that it stops
/// holding back the oldest WAL file (which a replica that never snapshots would hold forever).
/// </summary>
public sealed class LogRelocationTests
{
    [Fact]
    public async Task The_engine_writes_an_idle_replicas_entries_again_so_that_it_holds_back_no_sealed_file()
    {
        var dir = Directory.CreateTempSubdirectory("multiraft-relocation-");
        try
        {
            using var meter = new Meter(MultiRaftMeter.Name);
            var provider = new FileWalProvider(new FileWalOptions { Directory = dir.FullName, SegmentSize = 4096, PreallocateSize = 0 });
            // A minute's tick: the engine's own once-a-second relocation does not run during the test.
            await using var single = await SingleVoterEngine.StartAsync(provider, meter, TestContext.Current.CancellationToken, tickMs: 60_000);

            // About three entries per 4 KiB file: the shard's dozen entries span several files.
            for (var i = 0; i < 12; i++)
            {
                await single.WriteAsync(new string((char)('a' + i), 1000));
            }

            Assert.True(Directory.GetFiles(dir.FullName, "wal-*.log").Length >= 3);
            Assert.Equal([new ReplicaId(1, 1)], ((ILogHoldBacks)provider).HoldingBackOldest(max: 10, maxEntries: 64));
            single.Engine.RelocateHoldBacks();
            await single.TurnsDoneAsync();

            Assert.Empty(((ILogHoldBacks)provider).HoldingBackOldest(max: 10, maxEntries: 64));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
