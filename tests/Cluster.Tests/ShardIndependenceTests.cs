using System.Text;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Sharding is real (TESTING.md 17): with a shard's majority stopped, only that shard's keys
/// block; every other shard keeps serving reads and writes.
/// </summary>
public sealed class ShardIndependenceTests
{
    [Fact]
    public async Task Stopping_one_shards_majority_blocks_only_its_keys()
    {
        await using var cluster = await InProcessCluster.StartSpreadAsync(silos: 5, shards: 4);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(90));
        var view = await cluster.ViewAsync();
        var silos = cluster.Silos.Select(s => s.SiloId).ToList();
        var dataShards = view.Shards.Where(s => s.ShardId != 0).ToList();

        // Two silos that together hold a majority of some shard but at most one replica of another.
        // Never silo 1: development clustering keeps Orleans' membership table in its memory.
        (string A, string B)? pair = null;
        for (var i = 1; i < silos.Count && pair is null; i++)
        {
            for (var j = i + 1; j < silos.Count && pair is null; j++)
            {
                var (a, b) = (silos[i], silos[j]);
                int Held(Grains.Interfaces.Protos.ShardDescriptor d) => d.Replicas.Count(r => r.SiloId == a || r.SiloId == b);
                if (dataShards.Any(d => Held(d) >= 2) && dataShards.Any(d => Held(d) <= 1))
                {
                    pair = (a, b);
                }
            }
        }

        Assert.True(pair is not null, "no pair of silos 2-5 fits: " + string.Join("; ", dataShards.Select(d => $"shard {d.ShardId} on {string.Join(",", d.Replicas.Select(r => r.SiloId))}")));
        var (stopA, stopB) = pair.Value;
        var blocked = dataShards.Where(d => d.Replicas.Count(r => r.SiloId == stopA || r.SiloId == stopB) >= 2).Select(d => d.ShardId).ToHashSet();
        await cluster.StopSiloAsync(silos.IndexOf(stopA));
        await cluster.StopSiloAsync(silos.IndexOf(stopB));

        // One key per shard, found by hash.
        var keyOf = new Dictionary<ulong, string>();
        for (var i = 0; keyOf.Count < dataShards.Count; i++)
        {
            var k = $"indep/{i}";
            var h = KeyHash.Of(Encoding.UTF8.GetBytes(k));
            var shard = dataShards.Single(d => h >= d.HashStart && h < d.HashEnd).ShardId;
            keyOf.TryAdd(shard, k);
        }

        // A blocked shard's write fails once the short timeout is up. A shard that kept its majority
        // may have had its leader on a stopped silo: it serves again after the other silos stop
        // hearing from it (an election timeout) and one of its voters wins an election (up to two
        // more), which on a busy machine took longer than the short timeout; it gets a long one.
        await using var blockedClient = cluster.NewClient(TimeSpan.FromSeconds(3));
        await using var client = cluster.NewClient(TimeSpan.FromSeconds(30));
        foreach (var (shard, key) in keyOf)
        {
            if (blocked.Contains(shard))
            {
                var ex = await Assert.ThrowsAnyAsync<MultiRaftException>(() => blockedClient.PutAsync(Encoding.UTF8.GetBytes(key), "x"u8.ToArray()));
                Assert.True(ex is UnavailableException or OutcomeUnknownException, $"shard {shard}: {ex.GetType().Name} {ex.Message}");
            }
            else
            {
                var version = await client.PutAsync(Encoding.UTF8.GetBytes(key), "ok"u8.ToArray());
                var got = await client.GetAsync(Encoding.UTF8.GetBytes(key));
                Assert.Equal(version, got!.Version);
            }
        }

        Assert.NotEmpty(blocked);
        Assert.True(blocked.Count < dataShards.Count);
    }
}
