using System.Text;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Cluster.TestingHost.Tests;

/// <summary>
/// A silo started again under its name finds its data directory, recovers its replicas from its
/// WAL (it does not join anew) and catches up with what was written while it was down. Each test
/// restarts a silo, so each runs its own cluster.
/// </summary>
/// <remarks>
/// What <see cref="Orleans.TestingHost.InProcessTestCluster"/> offers: <c>RestartSiloAsync</c>
/// stops a silo gracefully and starts it at once under the same name (Silo_N, new ports);
/// <c>StartAdditionalSiloAsync</c> names the new silo after the highest instance number still
/// running, so after a kill of the last silo (Silo_2) it starts Silo_2 again; after a kill of any
/// other it would start a silo of a new name. <c>RestartStoppedSecondarySiloAsync</c> looks the
/// name up among the running silos, so it cannot start one that was stopped or killed.
/// </remarks>
public sealed class RestartTests
{
    /// <summary>Event 5104 of the store: "Silo {SiloId} restarting with {Replicas} replicas from storage".</summary>
    private const int RestartingFromStorage = 5104;

    /// <summary>Event 5101 of the store: "Silo {SiloId} joining ...".</summary>
    private const int Joining = 5101;

    private static readonly TimeSpan CatchUpBound = TimeSpan.FromSeconds(30);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task A_killed_silo_started_again_under_its_name_recovers_its_replicas_from_its_wal_and_catches_up()
    {
        await using var cluster = await MultiRaftTestCluster.StartAsync();
        var client = cluster.Client;
        const string victim = "Silo_2";
        var view = await cluster.ViewAsync();
        var shards = MultiRaftTestCluster.DataShardsOf(view);
        var replicasBefore = ReplicasOn(view, victim);

        foreach (var shard in shards)
        {
            await client.PutAsync(MultiRaftTestCluster.KeyOwnedBy(shard, "before"), B("before"));
        }

        await cluster.WaitConvergedAsync(CatchUpBound);
        var oldAddress = cluster.Silo(victim).SiloAddress;
        await cluster.Orleans.KillSiloAsync(cluster.Silo(victim));

        // Written while it is down: new keys, an overwrite and a delete in every shard.
        foreach (var shard in shards)
        {
            for (var i = 0; i < 20; i++)
            {
                await client.PutAsync(MultiRaftTestCluster.KeyOwnedBy(shard, $"down{i}"), B($"written while {victim} was down"));
            }

            await client.PutAsync(MultiRaftTestCluster.KeyOwnedBy(shard, "before"), B("overwritten"));
            Assert.True(await client.DeleteAsync(MultiRaftTestCluster.KeyOwnedBy(shard, "down0")));
        }

        var restarted = await cluster.Orleans.StartAdditionalSiloAsync();
        Assert.Equal(victim, restarted.Name);
        Assert.NotEqual(oldAddress, restarted.SiloAddress);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var digests = await cluster.WaitConvergedAsync(CatchUpBound);
        TestContext.Current.TestOutputHelper?.WriteLine($"{victim} caught up {started.ElapsedMilliseconds} ms after its start returned");
        Assert.Equal(MultiRaftTestCluster.DataShards, digests.Count);
        await AssertRecoveredFromWalAsync(cluster, victim, replicasBefore);
    }

    [Fact]
    public async Task RestartSiloAsync_keeps_the_name_and_the_silo_recovers_its_replicas_from_its_wal()
    {
        await using var cluster = await MultiRaftTestCluster.StartAsync();
        const string victim = "Silo_1";
        var view = await cluster.ViewAsync();
        var replicasBefore = ReplicasOn(view, victim);
        foreach (var shard in MultiRaftTestCluster.DataShardsOf(view))
        {
            await cluster.Client.PutAsync(MultiRaftTestCluster.KeyOwnedBy(shard, "before"), B("before"));
        }

        var oldAddress = cluster.Silo(victim).SiloAddress;
        var restarted = await cluster.Orleans.RestartSiloAsync(cluster.Silo(victim));
        Assert.Equal(victim, restarted!.Name);
        Assert.NotEqual(oldAddress, restarted.SiloAddress);

        foreach (var shard in MultiRaftTestCluster.DataShardsOf(view))
        {
            await cluster.Client.PutAsync(MultiRaftTestCluster.KeyOwnedBy(shard, "after"), B("after"));
        }

        await cluster.WaitConvergedAsync(CatchUpBound);
        await AssertRecoveredFromWalAsync(cluster, victim, replicasBefore);
        // The silo came back on new ports: it registers again, and the router's record follows.
        var expected = $"127.0.0.1:{restarted.SiloAddress.Endpoint.Port}";
        await Poll.UntilAsync($"the router's record of {victim} shows its new silo endpoint {expected}", CatchUpBound, async () =>
        {
            var record = (await cluster.ViewAsync()).Silos.Single(s => s.SiloId == victim);
            return record.SiloAddress == expected ? null : $"the record says {record.SiloAddress}";
        });
    }

    private static Dictionary<ulong, ulong> ReplicasOn(ClusterView view, string silo) =>
        view.Shards.ToDictionary(s => s.ShardId, s => s.Replicas.Single(r => r.SiloId == silo).ReplicaId);

    // The second start of the silo restarted every replica it held (the router's and each data
    // shard's) from its storage, under the same replica ids, and never joined; the router still
    // places the same replicas on it.
    private static async Task AssertRecoveredFromWalAsync(MultiRaftTestCluster cluster, string silo, Dictionary<ulong, ulong> replicasBefore)
    {
        var second = cluster.Log.Events.Where(e => e.Silo == silo && e.Incarnation == 2).ToList();
        var restarting = Assert.Single(second, e => e.EventId == RestartingFromStorage);
        Assert.Equal(replicasBefore.Count, Assert.IsType<int>(restarting.Values["Replicas"]));
        Assert.DoesNotContain(second, e => e.EventId == Joining);
        Assert.Contains(cluster.Log.Events, e => e.Silo == silo && e.Incarnation == 1 && e.EventId == Joining);

        Assert.Equal(replicasBefore, ReplicasOn(await cluster.ViewAsync(), silo));
        Assert.True(Directory.EnumerateFiles(cluster.DataDirectory(silo), "*", SearchOption.AllDirectories).Any());
    }
}
