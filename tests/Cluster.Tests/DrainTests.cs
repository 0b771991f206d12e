using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Client;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Draining a silo through the client: the router marks it draining, its leaderships move to
/// active silos and its data replicas are replaced there, while every write stays readable;
/// removed, it leaves the router's group and stops itself; draining a second silo of four is
/// refused (three voters need three active silos).
/// </summary>
public sealed class DrainTests
{
    [Fact]
    public async Task A_drained_silo_ends_with_no_data_replica_and_no_leadership_and_removed_it_stops()
    {
        await using var cluster = await InProcessCluster.StartSpreadAsync(silos: 4, shards: 4);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        var before = await cluster.WaitBalancedAsync(TimeSpan.FromSeconds(60));
        var victim = InProcessCluster.BusiestSiloBesidesFirst(before);
        await using var client = cluster.NewClient();
        var versions = new Dictionary<string, ulong>();
        for (var i = 0; i < 40; i++)
        {
            versions["drain/" + i] = await client.PutAsync(Encoding.UTF8.GetBytes("drain/" + i), Encoding.UTF8.GetBytes("v" + i));
        }

        var left = await client.DrainSiloAsync(victim, TestContext.Current.CancellationToken);

        Assert.Equal(MultiRaftClient.DataReplicasOn(before, victim), left);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(90));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        ClusterView after;
        while (true)
        {
            after = await cluster.ViewAsync();
            var stillThere = MultiRaftClient.DataReplicasOn(after, victim) + MultiRaftClient.LeadersOn(after, victim);
            if (stillThere == 0)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{victim} still holds {stillThere} data replicas or leaderships");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(SiloStatus.Draining, after.Silos.Single(s => s.SiloId == victim).Status);
        Assert.Equal(0, await client.DrainSiloAsync(victim, TestContext.Current.CancellationToken));
        foreach (var (key, version) in versions)
        {
            Assert.Equal(version, (await client.GetAsync(Encoding.UTF8.GetBytes(key), cancellationToken: TestContext.Current.CancellationToken))!.Version);
        }

        // Removed: its meta replica leaves the router's group and the silo stops itself.
        await client.RemoveSiloAsync(victim, TestContext.Current.CancellationToken);
        // The silo asks its host to stop (a process then exits; this in-process host only signals).
        var stopped = cluster.Services(cluster.IndexOf(victim)).GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!stopped.IsCancellationRequested)
        {
            Assert.True(DateTime.UtcNow < deadline, victim + " did not stop after its removal");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await cluster.StopSiloAsync(cluster.IndexOf(victim));

        // Stopped, Orleans lists it dead and the router drops its meta replica.
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((after = await cluster.ViewAsync()).Shards.Single(s => s.ShardId == 0).Replicas.Any(r => r.SiloId == victim))
        {
            Assert.True(DateTime.UtcNow < deadline, victim + "'s meta replica is still listed");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(SiloStatus.Removed, after.Silos.Single(s => s.SiloId == victim).Status);
        foreach (var (key, version) in versions)
        {
            Assert.Equal(version, (await client.GetAsync(Encoding.UTF8.GetBytes(key), cancellationToken: TestContext.Current.CancellationToken))!.Version);
        }

        var second = after.Silos.First(s => s.SiloId != victim && s.SiloId != "s1").SiloId;
        var refused = await Assert.ThrowsAsync<OperationRefusedException>(() => client.DrainSiloAsync(second, TestContext.Current.CancellationToken));
        Assert.Contains(Grains.Router.RouterRefusals.NoRoomToDrain, refused.Message);
        await Assert.ThrowsAsync<NotFoundException>(() => client.DrainSiloAsync("s9", TestContext.Current.CancellationToken));
    }
}
