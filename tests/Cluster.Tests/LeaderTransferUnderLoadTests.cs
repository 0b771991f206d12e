namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Transferring the leadership of every shard under a write load: each transfer returns once the
/// named silo leads, no write fails, and the leaderships stay where the operator put them (the
/// router pins them, so the leader balancer leaves them alone).
/// </summary>
public sealed class LeaderTransferUnderLoadTests
{
    [Fact]
    public async Task Every_shard_moves_to_the_named_silo_and_stays_there_with_no_failed_write()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: 6);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        await using var client = cluster.NewClient(TimeSpan.FromSeconds(30));
        await using var load = new WriteLoad(client, "transfer");
        var view = await cluster.ViewAsync();
        var data = view.Shards.Where(s => s.ShardId != 0).ToList();
        // Round robin over s2 and s3 (a shard already led there is only pinned).
        var targets = data.Select((s, i) => (s.ShardId, To: i % 2 == 0 ? "s2" : "s3")).ToList();

        foreach (var (shard, to) in targets)
        {
            await client.TransferLeaderAsync(shard, to, TestContext.Current.CancellationToken);
            load.AssertNoFailure();
        }

        // The router records each preference pinned, and leaders report it within a heartbeat or two.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!targets.All(t => view.Leaders.Any(l => l.ShardId == t.ShardId && l.SiloId == t.To)))
        {
            Assert.True(DateTime.UtcNow < deadline, "leaders not where they were sent");
            await Task.Delay(100, TestContext.Current.CancellationToken);
            view = await cluster.ViewAsync();
        }

        foreach (var (shard, to) in targets)
        {
            var desc = view.Shards.Single(s => s.ShardId == shard);
            Assert.True(desc.LeaderPinned);
            Assert.Equal(to, desc.Replicas.Single(r => r.ReplicaId == desc.PreferredLeader).SiloId);
        }

        // Several planner rounds later (heartbeats every 200 ms) nothing has moved back.
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        view = await cluster.ViewAsync();
        Assert.All(targets, t => Assert.Contains(view.Leaders, l => l.ShardId == t.ShardId && l.SiloId == t.To));
        await load.StopAndVerifyAsync(atLeast: 50);
    }
}
