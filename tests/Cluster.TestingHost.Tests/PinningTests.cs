using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using Orleans.Runtime;

namespace MultiRaft.Cluster.TestingHost.Tests;

/// <summary>
/// Replica grains live only on their home silo (the silo their key names), whoever calls them:
/// the cluster's client through any gateway, or grain code on any silo. These tests leave the
/// cluster as they found it, so they share one.
/// </summary>
public sealed class PinningTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    /// <summary>Well below Orleans' 30 s response timeout: a refusal, not a timeout.</summary>
    internal static readonly TimeSpan RefusalBound = TimeSpan.FromSeconds(5);

    private MultiRaftTestCluster Cluster => fixture.Cluster;

    // The cluster's client, then grain code on each silo (Silo: the silo it runs on).
    private IEnumerable<(string Caller, string? Silo, IGrainFactory Grains)> Callers() =>
        new[] { ("client", (string?)null, (IGrainFactory)Cluster.OrleansClient) }
            .Concat(Cluster.SiloNames.Select(n =>
                ($"grain code on {n}", (string?)n, Cluster.Silo(n).ServiceProvider.GetRequiredService<IGrainFactory>())));

    [Fact]
    public async Task Every_caller_reaches_each_replica_grain_on_its_home_silo_and_nowhere_else()
    {
        var view = await Cluster.ViewAsync();
        var shards = MultiRaftTestCluster.DataShardsOf(view);
        Assert.Equal(MultiRaftTestCluster.DataShards, shards.Count);

        // The store's silo ids are the Orleans silo names (pinning matches on them).
        Assert.Equal(Cluster.SiloNames, view.Silos.Select(s => s.SiloId).Order(StringComparer.Ordinal));
        foreach (var name in Cluster.SiloNames)
        {
            var services = Cluster.Silo(name).ServiceProvider;
            Assert.Equal(name, services.GetRequiredService<ILocalSiloDetails>().Name);
            Assert.Equal(name, services.GetRequiredService<Silo.Hosting.SiloOptions>().SiloId);
        }

        foreach (var shard in shards)
        {
            var members = shard.Replicas.Select(r => (r.ReplicaId, r.SiloId)).Order().ToArray();
            Assert.Equal(Cluster.SiloNames, members.Select(m => m.SiloId).Order(StringComparer.Ordinal));
            foreach (var replica in shard.Replicas)
            {
                foreach (var (caller, _, grains) in Callers())
                {
                    // Only the member itself answers OK: a grain of this key activated on any other
                    // silo would find no such member there and answer SHARD_NOT_FOUND.
                    var d = await grains.GetGrain<IReplicaGrain>(GrainKeys.Replica(shard.ShardId, replica.ReplicaId, replica.SiloId)).Digest();
                    Assert.True(d.Status == ResponseStatus.Ok, $"{caller} → {replica.ReplicaId}@{replica.SiloId}: {d.Status} {d.Error}");
                    Assert.Equal(members, d.Shard.Replicas.Select(m => (m.ReplicaId, m.SiloId)).Order());
                    Assert.All(d.Shard.Replicas, m => Assert.Equal(ReplicaRole.Voter, m.Role));
                }
            }
        }

        // Orleans' own account of where the replica grains are activated.
        var replicaType = Cluster.OrleansClient.GetGrain<IReplicaGrain>(GrainKeys.Replica(0, 0, "none")).GetGrainId().Type;
        var stats = await Cluster.OrleansClient.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var activations = stats.Where(s => s.GrainId.Type.Equals(replicaType)).ToList();
        var siloNameOf = Cluster.Orleans.Silos.ToDictionary(s => s.SiloAddress, s => s.Name);
        foreach (var a in activations)
        {
            var key = a.GrainId.Key.ToString()!;
            Assert.True(GrainKeys.TryParseReplica(key, out _, out _, out var home), key);
            Assert.True(siloNameOf[a.SiloAddress] == home, $"replica grain {key} is activated on {siloNameOf[a.SiloAddress]}");
        }

        // Exactly one activation per data replica: none missing, none twice.
        var expected = shards.SelectMany(s => s.Replicas.Select(r => GrainKeys.Replica(s.ShardId, r.ReplicaId, r.SiloId))).ToHashSet();
        var dataActivations = activations.Select(a => a.GrainId.Key.ToString()!).Where(expected.Contains);
        Assert.Equal(expected.Order(StringComparer.Ordinal), dataActivations.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_replica_grain_first_called_by_any_caller_is_activated_on_its_home_silo()
    {
        // Grains never called before, so the placement director runs for each call, on the
        // caller's silo (the client's gateway for the client): members of no shard (they answer
        // SHARD_NOT_FOUND wherever they run) and the router's own members (never activated by the
        // silos, which activate only their data replicas).
        var callers = Callers().ToArray();
        var homes = Cluster.SiloNames;
        ulong fresh = 1_000_000;
        foreach (var (caller, _, grains) in callers)
        {
            foreach (var home in homes)
            {
                var key = GrainKeys.Replica(1, fresh++, home);
                var d = await grains.GetGrain<IReplicaGrain>(key).Digest();
                // Such an activation goes away once idle (nothing runs there), so the answer
                // itself says which silo ran it.
                Assert.Equal(ResponseStatus.ShardNotFound, d.Status);
                Assert.EndsWith($"does not run on silo {home}", d.Error, StringComparison.Ordinal);
            }
        }

        var meta = (await Cluster.ViewAsync()).Shards.Single(s => s.ShardId == 0);
        Assert.Equal(homes.Count, meta.Replicas.Count);
        foreach (var replica in meta.Replicas)
        {
            var (caller, _, grains) = callers.First(c => c.Silo is not null && c.Silo != replica.SiloId);
            var key = GrainKeys.Replica(0, replica.ReplicaId, replica.SiloId);
            var d = await grains.GetGrain<IReplicaGrain>(key).Digest();
            Assert.True(d.Status == ResponseStatus.Ok, $"{caller} → {key}: {d.Status} {d.Error}");
            AssertActivatedOn(key, replica.SiloId, caller);
        }
    }

    private void AssertActivatedOn(string key, string home, string caller)
    {
        var grainId = Cluster.OrleansClient.GetGrain<IReplicaGrain>(key).GetGrainId();
        Assert.True(Cluster.Orleans.TryGetGrainContext(grainId, out var context), $"{caller} → {key}: no activation");
        var host = Cluster.Orleans.Silos.Single(s => s.SiloAddress.Equals(context.Address.SiloAddress)).Name;
        Assert.True(host == home, $"{caller} → {key}: activated on {host}");
    }

    [Fact]
    public async Task A_replica_key_of_a_silo_that_does_not_exist_is_refused_at_once_by_every_caller()
    {
        const ulong shardId = 1;
        const ulong replicaId = 4242;
        const string nowhere = "Silo_9";
        var key = GrainKeys.Replica(shardId, replicaId, nowhere);
        foreach (var (caller, _, grains) in Callers())
        {
            var clock = Stopwatch.StartNew();
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => grains.GetGrain<IReplicaGrain>(key).Digest());
            clock.Stop();
            AssertRefused(refused, caller);
            Assert.True(clock.Elapsed < RefusalBound, $"{caller}: refused after {clock.Elapsed}");
        }

        Assert.False(Cluster.Orleans.TryGetGrainContext(Cluster.OrleansClient.GetGrain<IReplicaGrain>(key).GetGrainId(), out _));

        // The client's channel reports it as unreachable, and certain not to have run.
        var channel = new OrleansGrainChannel(Cluster.OrleansClient);
        var unreachable = await Assert.ThrowsAsync<ReplicaUnreachableException>(() => channel.SendAsync(
            new ReplicaAddress(shardId, replicaId, nowhere), new ClientRequest { Digest = new DigestRequest { ShardId = shardId } },
            CancellationToken.None).AsTask());
        Assert.False(unreachable.MayHaveArrived);
    }

    /// <summary>The exception a refused placement surfaces as.</summary>
    internal static void AssertRefused(Exception refused, string caller)
    {
        Assert.True(PlacementRefusal.IsRefusal(refused), $"{caller}: not a placement refusal: {refused}");
        Assert.IsType<InvalidOperationException>(refused);
    }
}
