using System.Diagnostics;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// A replica grain whose home silo is not an active member (never was, or stopped) is refused
/// at once by the placement director: the caller learns it in milliseconds, not after Orleans'
/// 30 s response timeout, and the client's channel reports that the call certainly did not run.
/// </summary>
public sealed class RefusalTests
{
    // Generous against the milliseconds measured; far under Orleans' default 30 s response timeout.
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_replica_on_a_silo_that_is_not_in_the_cluster_or_has_stopped_is_refused_quickly()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: 4);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        var shard = (await cluster.ViewAsync()).Shards.First(s => s.ShardId != 0);
        var onS3 = shard.Replicas.Single(r => r.SiloId == "s3");

        await AssertRefusedAsync(cluster, new ReplicaAddress(shard.ShardId, onS3.ReplicaId, "nosuch"), shard);

        // The member on s3 was activated while s3 ran; after s3 stops, its key is refused too.
        Assert.Equal(ResponseStatus.Ok, (await cluster.Replica(shard.ShardId, onS3.ReplicaId, "s3").Digest()).Status);
        await cluster.StopSiloAsync(2);
        await AssertRefusedAsync(cluster, new ReplicaAddress(shard.ShardId, onS3.ReplicaId, "s3"), shard);
    }

    private static async Task AssertRefusedAsync(InProcessCluster cluster, ReplicaAddress target, ShardDescriptor shard)
    {
        var key = GrainKeys.Replica(target.ShardId, target.ReplicaId, target.SiloId);
        var grain = cluster.Grains.GetGrain<IReplicaGrain>(key);

        var watch = Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Digest());
        Assert.True(watch.Elapsed < Quickly, $"{key}: refused after {watch.Elapsed}");
        Assert.StartsWith(PlacementRefusal.Marker, refused.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}'", refused.Message, StringComparison.Ordinal);

        // A write through the client's channel: unreachable, and certainly not run.
        var channel = new OrleansGrainChannel(cluster.Grains);
        var write = new ClientRequest
        {
            Write = new WriteRequest
            {
                Route = new ShardRoute { ShardId = shard.ShardId, Epoch = shard.Epoch },
                Key = Google.Protobuf.ByteString.CopyFromUtf8("refused/k"),
                Value = Google.Protobuf.ByteString.CopyFromUtf8("v"),
            },
        };
        watch.Restart();
        var unreachable = await Assert.ThrowsAsync<ReplicaUnreachableException>(() => channel.SendAsync(target, write, CancellationToken.None).AsTask());
        Assert.True(watch.Elapsed < Quickly, $"{key} through the channel: refused after {watch.Elapsed}");
        Assert.False(unreachable.MayHaveArrived);
        Assert.True(PlacementRefusal.IsRefusal(unreachable));
    }
}
