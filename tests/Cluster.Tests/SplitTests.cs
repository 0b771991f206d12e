using System.Text;
using Google.Protobuf;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Shard split under a continuous write load (issue 13): the split takes effect in the parent's
/// log, the new shard starts on the same three silos with the moved keys, no write fails, every
/// acknowledged write is readable at its version, and a request routed with the old epoch for a
/// moved key gets a retryable stale-epoch answer, never data (TESTING.md 18).
/// </summary>
public sealed class SplitTests
{
    [Fact]
    public async Task A_shard_splits_under_load_without_a_failed_or_lost_write_and_stale_routes_get_no_data()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: 2);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        await using var client = cluster.NewClient(TimeSpan.FromSeconds(30));

        var before = (await cluster.ViewAsync()).Shards.Single(s => s.ShardId == 1);
        var mid = before.HashStart + ((before.HashEnd - before.HashStart) / 2);
        // A key that will move, written before the split.
        var moved = Enumerable.Range(0, 1000).Select(i => "moved-" + i).First(k => KeyHash.Of(Encoding.UTF8.GetBytes(k)) is var h && h >= mid && h < before.HashEnd);
        var movedVersion = await client.PutAsync(Encoding.UTF8.GetBytes(moved), "before"u8.ToArray());

        await using var load = new WriteLoad(client, "split");
        await Task.Delay(500, TestContext.Current.CancellationToken);
        load.AssertNoFailure();

        var (kept, added) = await Splits.WhenSettledAsync(client, 1);

        Assert.Equal((before.HashStart, mid), (kept.HashStart, kept.HashEnd));
        Assert.Equal((mid, before.HashEnd), (added.HashStart, added.HashEnd));
        Assert.Equal(before.Epoch.RangeVer + 1, kept.Epoch.RangeVer);
        Assert.Equal(before.Replicas.Select(r => r.SiloId).Order(), added.Replicas.Select(r => r.SiloId).Order());

        // The new shard comes up from the split on all three silos, as three voters with equal state.
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(30));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        load.AssertNoFailure();
        await load.StopAndVerifyAsync(atLeast: 50);

        var view = await cluster.ViewAsync();
        Assert.Equal(3, view.Shards.Count(s => s.ShardId != 0));
        var got = await client.GetAsync(Encoding.UTF8.GetBytes(moved));
        Assert.Equal(movedVersion, got!.Version);

        // The old route to the parent's leader for the moved key: a retryable error, no data.
        var leader = view.Leaders.Single(l => l.ShardId == 1);
        var parent = cluster.Replica(1, leader.ReplicaId, leader.SiloId);
        var oldRoute = new ShardRoute { ShardId = 1, Epoch = before.Epoch.Clone() };
        var read = await parent.Get(new GetRequest { Route = oldRoute, Key = ByteString.CopyFromUtf8(moved) }, 5000);
        Assert.Equal(ResponseStatus.StaleEpoch, read.Status);
        Assert.True(read.Value.IsEmpty);
        Assert.Equal(mid, read.Shard.HashEnd);
        var scan = await parent.Scan(new ScanRequest { Route = oldRoute, Prefix = ByteString.CopyFromUtf8("moved-"), Limit = 10 }, 5000);
        Assert.Equal(ResponseStatus.StaleEpoch, scan.Status);
        Assert.Empty(scan.Items);
        var write = await parent.Write(new WriteRequest { Route = oldRoute, Key = ByteString.CopyFromUtf8(moved), Value = ByteString.CopyFromUtf8("stale") }, 5000);
        Assert.Equal(ResponseStatus.StaleEpoch, write.Status);
        // Even with the parent's current epoch, the moved key is not the parent's.
        var current = new ShardRoute { ShardId = 1, Epoch = view.Shards.Single(s => s.ShardId == 1).Epoch.Clone() };
        read = await parent.Get(new GetRequest { Route = current, Key = ByteString.CopyFromUtf8(moved) }, 5000);
        Assert.Equal(ResponseStatus.StaleEpoch, read.Status);
        Assert.Equal(movedVersion, (await client.GetAsync(Encoding.UTF8.GetBytes(moved)))!.Version);
    }

    [Fact]
    public async Task A_shard_past_the_key_threshold_is_split_automatically_and_keeps_every_key()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: 1, o => o.SplitKeys = 40);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        await using var client = cluster.NewClient(TimeSpan.FromSeconds(30));

        var versions = new Dictionary<string, ulong>();
        for (var i = 0; i < 100; i++)
        {
            var key = "auto-" + i;
            versions[key] = await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("v" + i));
        }

        // 100 keys over a threshold of 40: at least one split; the new shards stay below it once settled.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await cluster.ViewAsync()).Shards.Count(s => s.ShardId != 0) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the shard was not split");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(30));
        var view = await cluster.ViewAsync();
        var data = view.Shards.Where(s => s.ShardId != 0).OrderBy(s => s.HashStart).ToList();
        Assert.Equal(0UL, data[0].HashStart);
        Assert.Equal(KeyHash.SpaceEnd, data[^1].HashEnd);
        Assert.All(data.Zip(data.Skip(1)), p => Assert.Equal(p.First.HashEnd, p.Second.HashStart));
        foreach (var (key, version) in versions)
        {
            Assert.Equal(version, (await client.GetAsync(Encoding.UTF8.GetBytes(key)))!.Version);
        }

        var scanned = await client.ScanAsync(Encoding.UTF8.GetBytes("auto-"), 1000);
        Assert.Equal(versions.Count, scanned.Count);
    }

    [Fact]
    public async Task A_silo_down_during_the_split_gets_the_new_shard_when_it_returns()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: 1);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        await using var client = cluster.NewClient(TimeSpan.FromSeconds(30));
        var versions = new Dictionary<string, ulong>();
        async Task WriteAsync(string prefix)
        {
            for (var i = 0; i < 30; i++)
            {
                versions[prefix + i] = await client.PutAsync(Encoding.UTF8.GetBytes(prefix + i), Encoding.UTF8.GetBytes("v" + i));
            }
        }

        await WriteAsync("before-");
        await cluster.StopSiloAsync(2);

        // Two of three replicas apply the split; the new shard elects a leader among its two. The
        // router refuses while the shard's configuration is in doubt (a new leader not reported yet).
        var (_, added) = await Splits.WhenSettledAsync(client, 1);

        await WriteAsync("during-");
        foreach (var (key, version) in versions)
        {
            Assert.Equal(version, (await client.GetAsync(Encoding.UTF8.GetBytes(key)))!.Version);
        }

        // Back, the silo's replica of the shard catches up (the split entry, or a snapshot past it)
        // and its replica of the new shard comes from it, or empty and then from the new shard's leader.
        await cluster.RestartSiloAsync(2);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(40));
        Assert.Contains((await cluster.ViewAsync()).Shards, s => s.ShardId == added.ShardId);
        foreach (var (key, version) in versions)
        {
            Assert.Equal(version, (await client.GetAsync(Encoding.UTF8.GetBytes(key)))!.Version);
        }
    }
}
