using System.Text;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Storage;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// A non-primary silo stopped: every shard keeps a quorum and keeps serving writes and reads
/// through the client; restarted, the silo recovers its members from its WAL (the same replica
/// ids, no new placement) and catches up until every replica's digest agrees.
/// </summary>
public sealed class SiloRestartTests
{
    [Fact]
    public async Task Every_shard_serves_while_a_silo_is_down_and_the_silo_catches_up_from_its_wal()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: 4);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        var before = await cluster.ViewAsync();
        var dataShards = before.Shards.Where(s => s.ShardId != 0).ToList();
        var membersOnS3 = dataShards.ToDictionary(s => s.ShardId, s => s.Replicas.Single(r => r.SiloId == "s3").ReplicaId);

        // Keys for every shard, found by hash.
        var keysOf = dataShards.ToDictionary(s => s.ShardId, _ => new List<string>());
        for (var i = 0; keysOf.Values.Any(k => k.Count < 5); i++)
        {
            var key = $"restart/{i}";
            var h = KeyHash.Of(Encoding.UTF8.GetBytes(key));
            var list = keysOf[dataShards.Single(d => h >= d.HashStart && h < d.HashEnd).ShardId];
            if (list.Count < 5)
            {
                list.Add(key);
            }
        }

        await using var client = cluster.NewClient();
        var versions = new Dictionary<string, ulong>();
        foreach (var key in keysOf.Values.Select(k => k[0]))
        {
            versions[key] = await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("before"));
        }

        // What s3's members had applied when it stopped: its WAL must give at least that back.
        var appliedOnS3 = new Dictionary<ulong, ulong>();
        foreach (var (shard, member) in membersOnS3)
        {
            appliedOnS3[shard] = (await cluster.Replica(shard, member, "s3").Digest()).Version;
        }

        await cluster.StopSiloAsync(2);

        foreach (var (shard, keys) in keysOf)
        {
            foreach (var key in keys)
            {
                versions[key] = await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("while-down"));
                var got = await client.GetAsync(Encoding.UTF8.GetBytes(key));
                Assert.True(got is not null, $"shard {shard}: {key} not found while s3 is down");
                Assert.Equal(versions[key], got.Version);
                Assert.Equal("while-down", Encoding.UTF8.GetString(got.Value.Span));
            }
        }

        var recovered = await cluster.RestartSiloAsync(2);
        foreach (var (shard, member) in membersOnS3)
        {
            Assert.True(recovered.TryGetValue(new ReplicaId(shard, member), out var lastIndex), $"s3's WAL lost member {member} of shard {shard}");
            Assert.True(lastIndex >= appliedOnS3[shard], $"shard {shard}: s3 recovered its log to {lastIndex}, had applied {appliedOnS3[shard]}");
        }

        var digests = await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        Assert.Equal(dataShards.Count, digests.Count);

        // The same members, not new ones placed, now holding what was written while s3 was down.
        var after = await cluster.ViewAsync();
        foreach (var (shard, keys) in keysOf)
        {
            var member = membersOnS3[shard];
            Assert.Equal(member, after.Shards.Single(s => s.ShardId == shard).Replicas.Single(r => r.SiloId == "s3").ReplicaId);
            var descriptor = after.Shards.Single(s => s.ShardId == shard);
            foreach (var key in keys)
            {
                var local = await cluster.Replica(shard, member, "s3").Get(new GetRequest
                {
                    Route = new ShardRoute { ShardId = shard, Epoch = descriptor.Epoch },
                    Key = Google.Protobuf.ByteString.CopyFromUtf8(key),
                    Consistency = ReadConsistency.Stale,
                }, 0);
                Assert.Equal(ResponseStatus.Ok, local.Status);
                Assert.Equal("while-down", local.Value.ToStringUtf8());
                Assert.Equal(versions[key], local.Version);
            }
        }

        foreach (var (key, version) in versions)
        {
            Assert.Equal(version, (await client.GetAsync(Encoding.UTF8.GetBytes(key)))!.Version);
        }
    }
}
