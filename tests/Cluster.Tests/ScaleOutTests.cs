using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Silo.Engine;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Scaling 3 → 5 silos under a continuous write load: the balancer moves replicas onto the new
/// silos until replica counts differ by at most one, spreads leaderships the same way, and no
/// write fails or goes missing.
/// </summary>
public sealed class ScaleOutTests
{
    [Fact]
    public async Task Two_new_silos_fill_up_with_replicas_and_leaders_while_every_write_succeeds()
    {
        const int shards = 6;
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: shards);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        var before = await cluster.ViewAsync();
        await using var client = cluster.NewClient(TimeSpan.FromSeconds(30));
        await using var load = new WriteLoad(client, "scale");

        await cluster.JoinSiloAsync(shards);
        await cluster.JoinSiloAsync(shards);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string why;
        while ((why = Balance.Unbalanced(await cluster.ViewAsync(), silos: 5)) != "")
        {
            Assert.True(DateTime.UtcNow < deadline, "not balanced: " + why);
            load.AssertNoFailure();
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await load.StopAndVerifyAsync(atLeast: 100);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));

        // Scenario 21: each silo ends hosting exactly the replicas the map places on it (moved ones deleted).
        var view = await cluster.ViewAsync();
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string extra;
        while ((extra = HostedButNotPlaced(cluster, view)) != "")
        {
            Assert.True(DateTime.UtcNow < deadline, "moved replicas not deleted: " + extra);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        // Scenario 18: a request sent to a replica that moved away gets a retryable error, never data.
        var moved = before.Shards.Where(s => s.ShardId != 0)
            .SelectMany(s => s.Replicas.Select(r => (s.ShardId, Replica: r)))
            .First(x => !view.Shards.Single(s => s.ShardId == x.ShardId).Replicas.Any(r => r.ReplicaId == x.Replica.ReplicaId));
        var stale = await cluster.Replica(moved.ShardId, moved.Replica.ReplicaId, moved.Replica.SiloId)
            .Get(new GetRequest
            {
                // Routed with the epoch the client knew before the move, asking for a local read.
                Route = new ShardRoute { ShardId = moved.ShardId, Epoch = before.Shards.Single(s => s.ShardId == moved.ShardId).Epoch },
                Key = ByteString.CopyFromUtf8("scale/0/0"),
                Consistency = ReadConsistency.Stale,
            }, 2000);
        Assert.Equal(ResponseStatus.ShardNotFound, stale.Status);
        Assert.True(stale.Value.IsEmpty);
    }

    private static string HostedButNotPlaced(InProcessCluster cluster, ClusterView view)
    {
        foreach (var silo in cluster.Silos)
        {
            var engine = cluster.Services(cluster.IndexOf(silo.SiloId)).GetRequiredService<SiloEngine>();
            foreach (var shard in view.Shards.Where(s => s.ShardId != 0))
            {
                var placed = shard.Replicas.FirstOrDefault(r => r.SiloId == silo.SiloId)?.ReplicaId;
                var hosted = engine.Find(shard.ShardId)?.ReplicaId;
                if (hosted != placed)
                {
                    return $"{silo.SiloId} hosts {hosted?.ToString() ?? "nothing"} of shard {shard.ShardId}, the map places {placed?.ToString() ?? "nothing"}";
                }
            }
        }

        return "";
    }
}
