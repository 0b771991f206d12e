using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class LookupTests
{
    private static ShardDescriptor? Linear(RouterState state, ReadOnlySpan<byte> key)
    {
        var hash = KeyHash.Of(key);
        foreach (var shard in state.Shards)
        {
            if (shard.ShardId != 0 && shard.HashStart <= hash && hash < shard.HashEnd)
            {
                return shard;
            }
        }

        return null;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(64)]
    public void FindShardByKey_agrees_with_a_linear_search(int shards)
    {
        var m = Booted(shards);
        var random = new Random(shards);
        for (var i = 0; i < 5000; i++)
        {
            var key = new byte[random.Next(0, 24)];
            random.NextBytes(key);
            var found = m.FindShardByKey(key);
            Assert.NotNull(found);
            Assert.Same(Linear(m.State, key), found);
        }
    }

    [Fact]
    public void Range_edges_route_to_the_owning_shard_and_gaps_route_nowhere()
    {
        var state = RouterStateMachine.Bootstrap("c1", Silo("s1"), 4, T0);
        // Open a gap: shard 2 gives up the top half of its range.
        state.Shards[2].HashEnd = state.Shards[2].HashStart + (1UL << 29);
        var m = new RouterStateMachine();
        m.RestoreSnapshot(RouterStateMachine.EncodeSnapshot(state, 1));

        Assert.Equal(1UL, m.FindShardByHash(0)!.ShardId);
        Assert.Equal(1UL, m.FindShardByHash((1UL << 30) - 1)!.ShardId);
        Assert.Equal(2UL, m.FindShardByHash(1UL << 30)!.ShardId);
        Assert.Null(m.FindShardByHash((1UL << 30) + (1UL << 29)));
        Assert.Equal(3UL, m.FindShardByHash(1UL << 31)!.ShardId);
        Assert.Equal(4UL, m.FindShardByHash(KeyHash.SpaceEnd - 1)!.ShardId);
        Assert.Null(m.FindShardByHash(KeyHash.SpaceEnd));
    }

    [Fact]
    public void The_meta_shard_is_never_found_by_key_and_the_empty_state_finds_nothing()
    {
        var m = Booted(2);
        Assert.DoesNotContain(m.DataShards, s => s.ShardId == 0);
        Assert.Equal([1UL, 2UL], m.DataShards.Select(s => s.ShardId));
        Assert.Null(new RouterStateMachine().FindShardByKey("k"u8));
    }

    [Fact]
    public void ToView_is_a_deep_copy_with_the_applied_index()
    {
        var m = WithSilos(2);

        var view = m.ToView("s2");

        Assert.Equal("s2", view.ServedBy);
        Assert.Equal("c1", view.ClusterId);
        Assert.Equal(m.LastAppliedIndex, view.RouterAppliedIndex);
        Assert.Equal(m.State.Silos, view.Silos);
        Assert.Equal(m.State.Shards, view.Shards);
        Assert.NotSame(m.State.Shards[1], view.Shards[1]);
        view.Shards[1].Replicas.Clear();
        Assert.Single(m.State.Shards[1].Replicas);
    }
}
