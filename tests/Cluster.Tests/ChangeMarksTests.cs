using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage;
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

    [Fact]
    public async Task A_reader_takes_exactly_the_replicas_changed_since_it_last_took() =>
        await WithReplicasAsync(Enumerable.Range(1, 200).Select(s => (ulong)s), engine =>
        {
            // Added: every one changed, for each reader.
            Assert.Equal(Enumerable.Range(1, 200).Select(s => (ulong)s), Take(engine, ChangeReader.Report).Order());
            Assert.Empty(Take(engine, ChangeReader.Report));

            // Marked twice before the report takes them: taken once.
            ulong[] hosts = [17, 150, 3];
            foreach (var shard in hosts.Concat(hosts))
            {
                engine.NoteChange(shard);
            }

            Assert.Equal(new ulong[] { 3, 17, 150 }, Take(engine, ChangeReader.Report).Order().ToArray());
            Assert.Equal(200, Take(engine, ChangeReader.Maintenance).Length);
            Assert.Empty(Take(engine, ChangeReader.Maintenance));
        });

    // Dense ids are looked up one by one; ids far apart (splits numbered past a large cluster's)
    // are walked instead: the answer must be the same.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_slice_holds_the_hosted_replicas_whose_shard_id_leaves_the_remainder(bool sparseIds)
    {
        var shards = Enumerable.Range(0, 120).Select(i => (ulong)i + 1 + (sparseIds && i % 2 == 1 ? 1_000_000UL : 0)).ToList();
        await WithReplicasAsync(shards, engine =>
        {
            for (var remainder = 0UL; remainder < 50; remainder++)
            {
                var slice = new List<ReplicaMember>();
                engine.CollectSlice(remainder, 50, slice);
                Assert.Equal(shards.Where(s => s % 50 == remainder).Order(), slice.Select(m => m.ShardId).Order());
            }
        });
    }

    // An engine (not started) hosting one replica of each shard, on a file WAL in a temporary directory.
    private static async Task WithReplicasAsync(IEnumerable<ulong> shards, Action<SiloEngine> test)
    {
        var dir = Directory.CreateTempSubdirectory("multiraft-marks-");
        try
        {
            using var meter = new Meter(MultiRaftMeter.Name);
            await using var store = await ReplicaStore.OpenAsync(new FileWalProvider(new FileWalOptions { Directory = dir.FullName, Meter = meter }),
                TestContext.Current.CancellationToken);
            await using var engine = new SiloEngine(new SiloOptions { SiloId = "s1", Workers = 1 }, store, NullLogger.Instance, meter);
            foreach (var shard in shards)
            {
                engine.AddReplica(new ReplicaId(shard, 1), new KvReplicaStateMachine(KvSessionOptions.Default, KvLimits.Default));
            }

            test(engine);
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
