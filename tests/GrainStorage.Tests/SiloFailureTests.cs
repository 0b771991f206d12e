using MultiRaft.Cluster.TestingHost.Tests;

namespace MultiRaft.GrainStorage.Tests;

/// <summary>
/// Grain state outlives its silos: the kill of any one silo (the one that hosts the grain and
/// leads the shard holding its state), and then a restart of the whole cluster from the silos'
/// WALs. Each test kills and restarts silos, so each runs its own cluster.
/// </summary>
public sealed class SiloFailureTests
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("Silo_0")]
    [InlineData("Silo_1")]
    [InlineData("Silo_2")]
    public async Task State_survives_the_kill_of_any_one_silo_and_a_restart_of_all_silos(string victim)
    {
        await using var cluster = await StorageCluster.StartAsync();
        var names = cluster.SiloNames;
        var grain = cluster.Grains(victim).GetGrain<INoteGrain>("survivor");
        var key = GrainStateKey.Of(NoteGrain.StorageName, NoteGrain.StateName, grain.GetGrainId(), MultiRaftGrainStorageOptions.DefaultMaxKeyBytes);
        await cluster.Client.TransferLeaderAsync(MultiRaftTestCluster.ShardOf(await cluster.ViewAsync(), key), victim);
        var before = await grain.Write("before the kill");
        Assert.Equal(victim, before.Silo);

        await cluster.Orleans.KillSiloAsync(cluster.Silo(victim));
        var survivor = cluster.SiloNames.First();
        var moved = cluster.Grains(survivor).GetGrain<INoteGrain>("survivor");
        Assert.Equal(new NoteView("before the kill", before.ETag, true, survivor), await moved.Get());
        var after = await moved.Write("after the kill");
        Assert.NotEqual(before.ETag, after.ETag);

        // Every silo down, then all three started again under their names, from their WALs.
        await cluster.Orleans.StopSilosAsync();
        await cluster.Orleans.StartSilosAsync(names.Count);
        Assert.Equal(names, cluster.SiloNames);
        await cluster.WaitConvergedAsync(RecoveryBound);

        var reader = names.First(n => n != survivor);
        var restarted = cluster.Grains(reader).GetGrain<INoteGrain>("survivor");
        Assert.Equal(new NoteView("after the kill", after.ETag, true, reader), await restarted.Get());
    }
}
