using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using Orleans.Runtime;

namespace MultiRaft.Cluster.TestingHost.Tests;

/// <summary>
/// <c>KillSiloAsync</c> (a crash: no graceful shutdown) of one of three silos. Each test kills a
/// silo, so each runs its own cluster.
/// </summary>
public sealed class FailoverTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    private static void Output(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Fact]
    public async Task Killing_a_silo_that_hosts_only_followers_leaves_every_shard_serving()
    {
        await using var cluster = await MultiRaftTestCluster.StartAsync();
        var client = cluster.Client;
        var view = await cluster.ViewAsync();
        var shards = MultiRaftTestCluster.DataShardsOf(view);

        // The victim must not lead the router's shard, which cannot be transferred; it gives up
        // every data shard it leads to the other two.
        var routerLeader = view.Leaders.Single(l => l.ShardId == 0).SiloId;
        var victim = cluster.SiloNames.Last(n => n != routerLeader);
        var keepers = cluster.SiloNames.Where(n => n != victim).ToArray();
        for (var i = 0; i < shards.Count; i++)
        {
            await client.TransferLeaderAsync(shards[i].ShardId, keepers[i % keepers.Length]);
        }

        await Poll.UntilAsync($"no shard led from {victim}", TimeSpan.FromSeconds(10), async () =>
        {
            var leaders = (await cluster.ViewAsync()).Leaders;
            var led = leaders.Where(l => l.SiloId == victim).Select(l => l.ShardId).ToArray();
            return leaders.Count == shards.Count + 1 && led.Length == 0 ? null : $"{victim} leads [{string.Join(", ", led)}] of {leaders.Count}";
        });

        var before = new Dictionary<ulong, (byte[] Key, ulong Version)>();
        foreach (var shard in shards)
        {
            var key = MultiRaftTestCluster.KeyOwnedBy(shard, "before");
            before[shard.ShardId] = (key, await client.PutAsync(key, B($"before {shard.ShardId}")));
        }

        await cluster.Orleans.KillSiloAsync(cluster.Silo(victim));
        var membership = cluster.Silo(keepers[0]).ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot;
        Output($"right after the kill, {keepers[0]} sees {victim} as {string.Join(", ", membership.Members.Values.Where(m => m.Name == victim).Select(m => m.Status))}");

        foreach (var shard in shards)
        {
            var clock = Stopwatch.StartNew();
            var key = MultiRaftTestCluster.KeyOwnedBy(shard, "after");
            var version = await client.PutAsync(key, B($"after {shard.ShardId}"));
            var read = await client.GetAsync(key);
            Assert.Equal($"after {shard.ShardId}", S(read!.Value));
            Assert.Equal(version, read.Version);
            var old = await client.GetAsync(before[shard.ShardId].Key);
            Assert.Equal(before[shard.ShardId].Version, old!.Version);
            // Its leader never moved: no election, no retry worth the name.
            Output($"shard {shard.ShardId}: write and reads after the kill in {clock.ElapsedMilliseconds} ms");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"shard {shard.ShardId} took {clock.Elapsed} to serve");
        }

        // The dead silo's replica grains are refused at once, not after Orleans' response timeout.
        // (In the in-process test cluster the survivors list a killed silo as dead at once, so this
        // is the placement director's refusal; a real crash, seen only after Orleans' probes
        // miss, is the multi-process tests' business.)
        foreach (var shard in shards)
        {
            var replica = shard.Replicas.Single(r => r.SiloId == victim);
            var clock = Stopwatch.StartNew();
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => cluster.Replica(shard.ShardId, replica).Digest());
            clock.Stop();
            Output($"replica {replica.ReplicaId} on the killed {victim}: refused in {clock.ElapsedMilliseconds} ms ({refused.GetType().Name})");
            Assert.True(clock.Elapsed < PinningTests.RefusalBound, $"refused after {clock.Elapsed}: {refused}");
            PinningTests.AssertRefused(refused, $"replica {replica.ReplicaId} on the killed {victim}");
        }
    }

    [Fact]
    public async Task Killing_the_silo_that_leads_every_shard_leaves_the_other_two_serving_every_shard()
    {
        await using var cluster = await MultiRaftTestCluster.StartAsync();
        var client = cluster.Client;
        var view = await cluster.ViewAsync();
        var shards = MultiRaftTestCluster.DataShardsOf(view);

        // The router's leader takes every data shard too.
        var leader = view.Leaders.Single(l => l.ShardId == 0).SiloId;
        foreach (var shard in shards)
        {
            await client.TransferLeaderAsync(shard.ShardId, leader);
        }

        await Poll.UntilAsync($"{leader} leads every shard", TimeSpan.FromSeconds(10), async () =>
        {
            var leaders = (await cluster.ViewAsync()).Leaders;
            return leaders.Count == shards.Count + 1 && leaders.All(l => l.SiloId == leader)
                ? null
                : $"leaders: {string.Join(", ", leaders.Select(l => $"{l.ShardId}@{l.SiloId}"))}";
        });

        var before = new Dictionary<ulong, (byte[] Key, ulong Version)>();
        foreach (var shard in shards)
        {
            var key = MultiRaftTestCluster.KeyOwnedBy(shard, "before");
            before[shard.ShardId] = (key, await client.PutAsync(key, B($"before {shard.ShardId}")));
        }

        await cluster.Orleans.KillSiloAsync(cluster.Silo(leader));
        var survivors = cluster.SiloNames;
        Assert.DoesNotContain(leader, survivors);

        // Each shard elects a new leader among the two left; the client finds it within one call's budget.
        var killed = Stopwatch.StartNew();
        await Task.WhenAll(shards.Select(async shard =>
        {
            var key = MultiRaftTestCluster.KeyOwnedBy(shard, "after");
            var version = await client.PutAsync(key, B($"after {shard.ShardId}"));
            Output($"shard {shard.ShardId}: first write after the kill acknowledged at {killed.ElapsedMilliseconds} ms");
            var read = await client.GetAsync(key);
            Assert.Equal($"after {shard.ShardId}", S(read!.Value));
            Assert.Equal(version, read.Version);
            var old = await client.GetAsync(before[shard.ShardId].Key);
            Assert.Equal($"before {shard.ShardId}", S(old!.Value));
            Assert.Equal(before[shard.ShardId].Version, old.Version);
            // A compare-and-set on the new leader sees the last write.
            var cas = await client.CompareAndSetAsync(key, B("cas"), version);
            Assert.True(cas > version);
        }));

        // The two survivors of every shard agree.
        await Poll.UntilAsync("the survivors agree", TimeSpan.FromSeconds(10), async () =>
        {
            foreach (var shard in shards)
            {
                var alive = new ShardDescriptor(shard);
                alive.Replicas.Clear();
                alive.Replicas.AddRange(shard.Replicas.Where(r => r.SiloId != leader));
                var digests = await Task.WhenAll(alive.Replicas.Select(r => cluster.Replica(shard.ShardId, r).Digest()));
                if (digests.Any(d => d.Status != ResponseStatus.Ok)
                    || digests.Select(d => (d.Version, Convert.ToHexString(d.Value.Span))).Distinct().Count() != 1)
                {
                    return $"shard {shard.ShardId}: {string.Join(" / ", digests.Select(d => $"{d.Status} {d.Version}"))}";
                }
            }

            return null;
        });
    }
}
