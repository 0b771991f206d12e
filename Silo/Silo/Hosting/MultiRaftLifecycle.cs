using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Silo.Cluster;
using MultiRaft.Silo.Messaging;
using MultiRaft.Silo.Placement;
using Orleans;
using Orleans.Runtime;

namespace MultiRaft.Silo.Hosting;

/// <summary>
/// Starts the store with the silo: once Orleans is active (grain calls work and this silo can
/// host pinned grains), the engine starts, recovered replicas restart from the WAL (each
/// activating its replica grain), and the silo bootstraps or joins; on shutdown the cluster
/// work stops first. Grains are virtual: without this nothing would bring a replica back.
/// </summary>
internal sealed class MultiRaftLifecycle(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(MultiRaftLifecycle), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<SiloOptions>();
        var sender = new OrleansRaftSender(services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<SiloDirectory>(),
            options.SiloId);
        return services.GetRequiredService<SiloCluster>().StartAsync(sender, cancellationToken);
    }

    private Task StopAsync(CancellationToken cancellationToken) => services.GetRequiredService<SiloCluster>().StopAsync();
}
