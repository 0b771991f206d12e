using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class BootstrapTests
{
    [Fact]
    public void Sixteen_shards_cover_the_hash_space_contiguously()
    {
        var state = RouterStateMachine.Bootstrap("c1", Silo("s1"), 16, T0);

        Assert.Equal(17, state.Shards.Count);
        Assert.Equal(0UL, state.Shards[0].ShardId);
        ulong expectedStart = 0;
        for (var i = 1; i <= 16; i++)
        {
            var shard = state.Shards[i];
            Assert.Equal((ulong)i, shard.ShardId);
            Assert.Equal(expectedStart, shard.HashStart);
            Assert.Equal((ulong)i * (1UL << 28), shard.HashEnd);
            expectedStart = shard.HashEnd;
        }

        Assert.Equal(KeyHash.SpaceEnd, state.Shards[16].HashEnd);
    }

    [Fact]
    public void Replica_ids_epochs_and_counters_follow_the_layout()
    {
        var state = RouterStateMachine.Bootstrap("c1", Silo("s1"), 16, T0);

        for (var i = 0; i <= 16; i++)
        {
            var shard = state.Shards[i];
            Assert.Equal(new ShardEpoch { ConfVer = 1, RangeVer = 1 }, shard.Epoch);
            var replica = Assert.Single(shard.Replicas);
            Assert.Equal((ulong)i + 1, replica.ReplicaId);
            Assert.Equal("s1", replica.SiloId);
            Assert.Equal(ReplicaRole.Voter, replica.Role);
        }

        Assert.Equal(18UL, state.NextReplicaId);
        Assert.Equal(17UL, state.NextShardId);
        Assert.Equal("c1", state.ClusterId);
        Assert.Equal(T0, state.NowMs);
        Assert.Empty(state.Leaders);
    }

    [Fact]
    public void First_silo_is_active_and_stamped_with_the_bootstrap_clock()
    {
        var first = Silo("s1");
        first.Status = SiloStatus.Dead;
        var state = RouterStateMachine.Bootstrap("c1", first, 1, T0);

        var silo = Assert.Single(state.Silos);
        Assert.Equal(SiloStatus.Active, silo.Status);
        Assert.Equal(T0, silo.JoinedMs);
        Assert.Equal(T0, silo.LastHeartbeatMs);
        Assert.Equal("s1:11111", silo.SiloAddress);
        Assert.Equal(SiloStatus.Dead, first.Status); // the argument is copied, not changed
        Assert.Equal(2, state.Shards.Count);
        Assert.Equal(KeyHash.SpaceEnd, state.Shards[1].HashEnd);
    }

    [Fact]
    public void Restored_bootstrap_state_serves_lookups()
    {
        var m = Booted();

        Assert.Equal(16, m.DataShards.Count);
        Assert.Equal(1UL, m.LastAppliedIndex);
        Assert.Equal(0UL, m.FindShard(0)!.ShardId);
        Assert.Null(m.FindShard(17));
        Assert.Equal("s1", m.FindSilo("s1")!.SiloId);
        Assert.Null(m.FindSilo("s2"));
        Assert.NotEqual(0UL, m.FindShardByKey("a"u8)!.ShardId);
    }

    [Fact]
    public void Bootstrap_rejects_zero_shards_and_a_silo_without_id()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RouterStateMachine.Bootstrap("c1", Silo("s1"), 0, T0));
        Assert.Throws<ArgumentException>(() => RouterStateMachine.Bootstrap("c1", new SiloInfo(), 1, T0));
    }
}
