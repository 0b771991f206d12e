namespace MultiRaft.Cluster.Tests;

/// <summary>One 3-silo, 4-shard cluster shared by a test class, fully replicated before the first test.</summary>
public sealed class ThreeSiloFixture : IAsyncLifetime
{
    public InProcessCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Cluster = await InProcessCluster.StartAsync(silos: 3, shards: 4);
        await Cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>The classes that share one 3-silo cluster.</summary>
[CollectionDefinition(Name)]
public sealed class ThreeSiloCollection : ICollectionFixture<ThreeSiloFixture>
{
    public const string Name = "three silos";
}
