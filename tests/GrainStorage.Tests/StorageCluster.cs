using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Client;
using MultiRaft.Cluster.TestingHost.Tests;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace MultiRaft.GrainStorage.Tests;

/// <summary>The test cluster with the grain storage providers, and ways to look behind them.</summary>
internal static class StorageCluster
{
    /// <summary>The limit of the provider named <see cref="NoteGrain.StorageName"/> (the default provider keeps 1 MiB).</summary>
    public const int MaxStateBytes = 4096;

    public static Task<MultiRaftTestCluster> StartAsync() => MultiRaftTestCluster.StartAsync(silo => silo
        .AddMultiRaftGrainStorage(NoteGrain.StorageName, o => o.MaxStateBytes = MaxStateBytes)
        .AddMultiRaftGrainStorageAsDefault());

    /// <summary>The grain factory of one silo: a <c>[PreferLocalPlacement]</c> grain first called through it activates there.</summary>
    public static IGrainFactory Grains(this MultiRaftTestCluster cluster, string silo) =>
        cluster.Silo(silo).ServiceProvider.GetRequiredService<IGrainFactory>();

    /// <summary>A provider as registered on one silo.</summary>
    public static IGrainStorage Storage(this MultiRaftTestCluster cluster, string silo, string provider = NoteGrain.StorageName) =>
        cluster.Silo(silo).ServiceProvider.GetRequiredKeyedService<IGrainStorage>(provider);

    /// <summary>What the store holds for a note (a linearizable read of its key), or null.</summary>
    public static async Task<(Note Note, string ETag)?> StoredAsync(this MultiRaftTestCluster cluster, GrainId grainId,
        string provider = NoteGrain.StorageName)
    {
        var key = GrainStateKey.Of(provider, NoteGrain.StateName, grainId, MultiRaftGrainStorageOptions.DefaultMaxKeyBytes);
        if (await cluster.Client.GetAsync(key) is not { } entry)
        {
            return null;
        }

        var serializer = new OrleansGrainStorageSerializer(cluster.Orleans.Silos[0].ServiceProvider.GetRequiredService<Serializer>());
        return (serializer.Deserialize<Note>(entry.Value)!, entry.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>One cluster with the providers, shared by the tests of a class that do not disturb it.</summary>
public sealed class StorageClusterFixture : ClusterFixture
{
    protected override Task<MultiRaftTestCluster> StartAsync() => StorageCluster.StartAsync();
}
