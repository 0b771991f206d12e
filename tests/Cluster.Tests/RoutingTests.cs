using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Stale routing never gets data (TESTING.md 18): a request routed with the wrong shard, epoch or
/// silo gets a retryable answer carrying what the client needs, and nothing is written.
/// </summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class RoutingTests(ThreeSiloFixture fixture)
{
    private InProcessCluster Cluster => fixture.Cluster;

    private static ByteString K(string s) => ByteString.CopyFromUtf8(s);

    private async Task<(ShardDescriptor Shard, ShardDescriptor Other, int LeaderSilo, int FollowerSilo)> RouteAsync(string key)
    {
        var view = await Cluster.ViewAsync();
        var h = KeyHash.Of(K(key).Span);
        var shard = view.Shards.Single(s => s.ShardId != 0 && h >= s.HashStart && h < s.HashEnd);
        var other = view.Shards.First(s => s.ShardId != 0 && s.ShardId != shard.ShardId);
        var leaderId = view.Leaders.Single(l => l.ShardId == shard.ShardId).SiloId;
        var silos = Cluster.Silos.Select(s => s.SiloId).ToList();
        var leader = silos.IndexOf(leaderId);
        return (shard, other, leader, (leader + 1) % silos.Count);
    }

    private static WriteRequest Put(ShardDescriptor shard, string key, string value, ulong rangeVer) => new()
    {
        Route = new ShardRoute { ShardId = shard.ShardId, Epoch = new ShardEpoch { ConfVer = shard.Epoch.ConfVer, RangeVer = rangeVer } },
        Key = K(key),
        Value = K(value),
    };

    private async Task AssertAbsentAsync(string key)
    {
        var (shard, _, leader, _) = await RouteAsync(key);
        var get = await Cluster.ReplicaOn(shard, leader).Get(new GetRequest { Route = new ShardRoute { ShardId = shard.ShardId, Epoch = shard.Epoch }, Key = K(key) }, 0);
        Assert.Equal(ResponseStatus.NotFound, get.Status);
    }

    [Fact]
    public async Task A_key_sent_to_the_wrong_shard_gets_stale_epoch_with_that_shards_descriptor()
    {
        var (shard, other, _, _) = await RouteAsync("route/wrong-shard");
        var otherLeader = Cluster.Silos.Select(s => s.SiloId).ToList()
            .IndexOf((await Cluster.ViewAsync()).Leaders.Single(l => l.ShardId == other.ShardId).SiloId);
        var r = await Cluster.ReplicaOn(other, otherLeader).Write(Put(other, "route/wrong-shard", "x", other.Epoch.RangeVer), 0);
        Assert.Equal(ResponseStatus.StaleEpoch, r.Status);
        Assert.Equal(other.ShardId, r.Shard.ShardId);
        await AssertAbsentAsync("route/wrong-shard");
        Assert.NotEqual(shard.ShardId, other.ShardId);
    }

    [Fact]
    public async Task A_stale_range_epoch_gets_stale_epoch_and_writes_nothing()
    {
        var (shard, _, leader, _) = await RouteAsync("route/old-epoch");
        var r = await Cluster.ReplicaOn(shard, leader).Write(Put(shard, "route/old-epoch", "x", shard.Epoch.RangeVer + 7), 0);
        Assert.Equal(ResponseStatus.StaleEpoch, r.Status);
        Assert.Equal(shard.Epoch.RangeVer, r.Shard.Epoch.RangeVer);
        await AssertAbsentAsync("route/old-epoch");
    }

    [Fact]
    public async Task A_follower_answers_not_leader_with_the_leaders_silo()
    {
        var (shard, _, leader, follower) = await RouteAsync("route/follower");
        var r = await Cluster.ReplicaOn(shard, follower).Write(Put(shard, "route/follower", "x", shard.Epoch.RangeVer), 0);
        Assert.Equal(ResponseStatus.NotLeader, r.Status);
        Assert.Equal(Cluster.Silos[leader].SiloId, r.Leader.SiloId);
        await AssertAbsentAsync("route/follower");
    }

    [Fact]
    public async Task An_unknown_shard_is_shard_not_found()
    {
        var r = await Cluster.Replica(999, 1, Cluster.Silos[0].SiloId)
            .Get(new GetRequest { Route = new ShardRoute { ShardId = 999, Epoch = new ShardEpoch { RangeVer = 1 } }, Key = K("k") }, 0);
        Assert.Equal(ResponseStatus.ShardNotFound, r.Status);
    }

    [Fact]
    public async Task A_retried_write_with_the_same_session_and_sequence_applies_once()
    {
        var (shard, _, leader, _) = await RouteAsync("route/once");
        var route = new ShardRoute { ShardId = shard.ShardId, Epoch = shard.Epoch };
        var grain = Cluster.ReplicaOn(shard, leader);
        var open = await grain.OpenSession(new OpenSessionRequest { Route = route }, 0);
        Assert.Equal(ResponseStatus.Ok, open.Status);
        Assert.NotEqual(0UL, open.SessionId);

        WriteRequest Write(string value) => new() { Route = route, Key = K("route/once"), Value = K(value), SessionId = open.SessionId, Sequence = 1 };
        var first = await grain.Write(Write("first"), 0);
        var retry = await grain.Write(Write("retry"), 0);
        Assert.Equal(ResponseStatus.Ok, first.Status);
        Assert.Equal(ResponseStatus.Ok, retry.Status);
        Assert.Equal(first.Version, retry.Version);

        var get = await grain.Get(new GetRequest { Route = route, Key = K("route/once") }, 0);
        Assert.Equal("first", get.Value.ToStringUtf8());
        Assert.Equal(first.Version, get.Version);
    }

    [Fact]
    public async Task An_oversized_value_is_refused_before_it_is_proposed()
    {
        var (shard, _, leader, _) = await RouteAsync("route/big");
        var r = await Cluster.ReplicaOn(shard, leader).Write(new WriteRequest
        {
            Route = new ShardRoute { ShardId = shard.ShardId, Epoch = shard.Epoch },
            Key = K("route/big"),
            Value = ByteString.CopyFrom(new byte[Cluster.Silos[0].MaxValueBytes + 1]),
        }, 0);
        Assert.Equal(ResponseStatus.TooLarge, r.Status);
        await AssertAbsentAsync("route/big");
    }
}
