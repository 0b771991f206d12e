using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class RegisterTests
{
    [Fact]
    public void New_silo_joins_active_with_a_meta_voter_and_the_next_replica_id()
    {
        var m = Booted();

        var result = m.Next(RouterCommands.Register(Silo("s2"), T0 + 500));

        Assert.Equal(new RouterResult(RouterOutcome.Applied, null, 18), result);
        var silo = m.FindSilo("s2")!;
        Assert.Equal(SiloStatus.Active, silo.Status);
        Assert.Equal(T0 + 500, silo.JoinedMs);
        Assert.Equal(T0 + 500, silo.LastHeartbeatMs);
        Assert.Equal("s2:11111", silo.SiloAddress);
        Assert.Equal("s2:30000", silo.GatewayAddress);
        Assert.Equal("s2:8080", silo.HttpAddress);
        var meta = m.FindShard(0)!;
        Assert.Equal(new ShardEpoch { ConfVer = 2, RangeVer = 1 }, meta.Epoch);
        Assert.Equal(new ReplicaDescriptor { ReplicaId = 18, SiloId = "s2", Role = ReplicaRole.Voter }, meta.Replicas[1]);
        Assert.Equal(19UL, m.State.NextReplicaId);
        Assert.Equal(T0 + 500, m.State.NowMs);
    }

    [Fact]
    public void Fourth_silo_gets_a_meta_learner()
    {
        var m = WithSilos(3);

        var result = m.Next(RouterCommands.Register(Silo("s4"), T0 + 100));

        Assert.Equal(20UL, result.ReplicaId);
        var roles = m.FindShard(0)!.Replicas.Select(r => (r.SiloId, r.ReplicaId, r.Role)).ToArray();
        Assert.Equal(
            [("s1", 1UL, ReplicaRole.Voter), ("s2", 18UL, ReplicaRole.Voter), ("s3", 19UL, ReplicaRole.Voter), ("s4", 20UL, ReplicaRole.Learner)],
            roles);
        Assert.Equal(4UL, m.FindShard(0)!.Epoch.ConfVer);
    }

    [Fact]
    public void A_voter_on_a_dead_silo_does_not_count_towards_the_three()
    {
        var m = WithSilos(3);
        var s2 = m.FindSilo("s2")!;
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.MarkDead("s2", s2.LastHeartbeatMs, T0 + 20_000)).Outcome);

        m.Next(RouterCommands.Register(Silo("s4"), T0 + 20_001));

        Assert.Equal(ReplicaRole.Voter, m.FindShard(0)!.Replicas.Single(r => r.SiloId == "s4").Role);
    }

    [Fact]
    public void Known_silo_updates_addresses_keeps_joined_and_replica_and_comes_back_active()
    {
        var m = WithSilos(2);
        var joined = m.FindSilo("s2")!.JoinedMs;
        m.Next(RouterCommands.MarkDead("s2", m.FindSilo("s2")!.LastHeartbeatMs, T0 + 30_000));
        var epochBefore = m.FindShard(0)!.Epoch.Clone();
        var nextBefore = m.State.NextReplicaId;

        var result = m.Next(RouterCommands.Register(Silo("s2", 12222), T0 + 40_000));

        Assert.Equal(new RouterResult(RouterOutcome.Applied, null, 18), result);
        var silo = m.FindSilo("s2")!;
        Assert.Equal(SiloStatus.Active, silo.Status);
        Assert.Equal("s2:12222", silo.SiloAddress);
        Assert.Equal(joined, silo.JoinedMs);
        Assert.Equal(T0 + 40_000, silo.LastHeartbeatMs);
        Assert.Equal(epochBefore, m.FindShard(0)!.Epoch);
        Assert.Equal(nextBefore, m.State.NextReplicaId);
        Assert.Equal(2, m.State.Silos.Count);
    }

    [Fact]
    public void A_known_silo_joining_with_empty_storage_loses_its_replicas_and_gets_a_new_meta_replica()
    {
        var m = WithSilos(3);
        Converge(m, T0 + 100, new RouterPlannerOptions(BalanceLeaders: false));
        var oldMeta = m.FindShard(0)!.Replicas.Single(r => r.SiloId == "s2").ReplicaId;
        var lost = m.DataShards.Select(s => s.Replicas.Single(r => r.SiloId == "s2").ReplicaId).ToHashSet();
        var confVers = m.DataShards.ToDictionary(s => s.ShardId, s => s.Epoch.ConfVer);
        var next = m.State.NextReplicaId;

        var result = m.Next(RouterCommands.Register(Silo("s2", 9999), T0 + 200, emptyStorage: true));

        // The wiped disk's replica ids are gone from the map for good; the silo's new meta replica is a new id.
        Assert.Equal(new RouterResult(RouterOutcome.Applied, null, next), result);
        var meta = m.FindShard(0)!.Replicas.Single(r => r.SiloId == "s2");
        Assert.Equal((next, ReplicaRole.Voter), (meta.ReplicaId, meta.Role));
        Assert.DoesNotContain(m.FindShard(0)!.Replicas, r => r.ReplicaId == oldMeta);
        Assert.Equal(0, ReplicasOn(m.State, "s2"));
        Assert.All(m.DataShards, s => Assert.Equal(confVers[s.ShardId] + 1, s.Epoch.ConfVer));
        Assert.Equal("s2:9999", m.FindSilo("s2")!.SiloAddress);

        // The planner places the shards' third replicas again, under new ids.
        Converge(m, T0 + 300, new RouterPlannerOptions(BalanceLeaders: false));
        Assert.Equal(16, ReplicasOn(m.State, "s2"));
        Assert.DoesNotContain(m.DataShards.SelectMany(s => s.Replicas), r => lost.Contains(r.ReplicaId));
    }

    [Fact]
    public void A_known_silo_registering_again_with_its_storage_keeps_its_replicas()
    {
        var m = WithSilos(3);
        Converge(m, T0 + 100, new RouterPlannerOptions(BalanceLeaders: false));
        var before = m.State.Shards.Select(s => s.Clone()).ToList();

        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Register(Silo("s2", 9999), T0 + 200, emptyStorage: false)).Outcome);

        Assert.Equal(before, m.State.Shards);
    }

    [Fact]
    public void Silos_stay_sorted_by_id_whatever_the_join_order()
    {
        var m = Booted();
        foreach (var id in new[] { "zeta", "alpha", "s0", "mu", "s10", "s2" })
        {
            m.Next(RouterCommands.Register(Silo(id), T0 + 1));
        }

        Assert.Equal(["alpha", "mu", "s0", "s1", "s10", "s2", "zeta"], m.State.Silos.Select(s => s.SiloId));
    }

    [Fact]
    public void Register_without_id_or_before_bootstrap_is_refused()
    {
        var m = Booted();
        Assert.Equal(new RouterResult(RouterOutcome.Refused, RouterRefusals.MissingSiloId), m.Next(RouterCommands.Register(new SiloInfo(), T0 + 1)));
        Assert.Equal(T0, m.State.NowMs);

        var empty = new RouterStateMachine();
        Assert.Equal(new RouterResult(RouterOutcome.Refused, RouterRefusals.NotBootstrapped), empty.Next(RouterCommands.Register(Silo("s1"), T0)));
        Assert.Empty(empty.State.Silos);
    }

    [Fact]
    public void Clock_never_goes_back()
    {
        var m = Booted();
        m.Next(RouterCommands.Register(Silo("s2"), T0 - 1000));

        Assert.Equal(T0, m.State.NowMs);
        Assert.Equal(T0, m.FindSilo("s2")!.JoinedMs);
    }
}
