using System.Text;
using Google.Protobuf;
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

        var (kept, added) = await client.SplitShardAsync(1, cancellationToken: TestContext.Current.CancellationToken);

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
}
