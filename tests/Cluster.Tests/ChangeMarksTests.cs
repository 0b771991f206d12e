using System.Diagnostics.Metrics;
using MultiRaft.Grains.Replica;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage.FileWal;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// The engine's per-replica change marks, which let the maintenance pass and the router report
/// visit only the replicas that changed: each reader takes a change once, independently of the
/// other, and a replica that did nothing is not taken.
/// </summary>
public sealed class ChangeMarksTests
{
    [Fact]
    public async Task Each_reader_takes_a_replica_once_per_change_and_an_unchanged_replica_never()
    {
        var dir = Directory.CreateTempSubdirectory("multiraft-marks-");
        try
        {
            using var meter = new Meter(MultiRaftMeter.Name);
            await using var single = await SingleVoterEngine.StartAsync(
                new FileWalProvider(new FileWalOptions { Directory = dir.FullName, Meter = meter }), meter, TestContext.Current.CancellationToken);
            await single.TurnsDoneAsync();
            var engine = single.Engine;

            // Added, then leading and applying: changed for both readers.
            Assert.Equal([1UL], Take(engine, ChangeReader.Maintenance));
            Assert.Empty(Take(engine, ChangeReader.Maintenance));
            Assert.Equal([1UL], Take(engine, ChangeReader.Report));
            Assert.Empty(Take(engine, ChangeReader.Report));

            // Nothing applied since: still nothing to take, and the count stands still.
            var count = engine.Changes;
            await single.TurnsDoneAsync();
            Assert.Equal(count, engine.Changes);
            Assert.Empty(Take(engine, ChangeReader.Maintenance));

            // A write applied: counted, and taken once by each reader.
            await single.WriteAsync("k");
            await single.TurnsDoneAsync();
            Assert.True(engine.Changes > count);
            Assert.Equal([1UL], Take(engine, ChangeReader.Report));
            Assert.Equal([1UL], Take(engine, ChangeReader.Maintenance));
            Assert.Empty(Take(engine, ChangeReader.Report));
            Assert.Empty(Take(engine, ChangeReader.Maintenance));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static ulong[] Take(SiloEngine engine, ChangeReader reader)
    {
        var changed = new List<ReplicaMember>();
        engine.TakeChanged(reader, changed);
        return [.. changed.Select(m => m.ShardId)];
    }
}
