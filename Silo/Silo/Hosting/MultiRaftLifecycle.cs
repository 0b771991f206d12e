using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Cluster;
using MultiRaft.Silo.Messaging;
using MultiRaft.Silo.Placement;
using Orleans;
using Orleans.Runtime;

namespace MultiRaft.Silo.Hosting;

/// <summary>
/// Starts the store with the silo: its storage is opened (and every replica's log recovered)
/// while the runtime initializes, and the recovered replicas start loading at once (snapshots
/// restored, committed entries applied) while Orleans joins the cluster; once Orleans is active
/// (grain calls work and this silo can host pinned grains), the engine connects them to the other
/// silos and starts ticking, or the silo bootstraps or joins; on shutdown the cluster work stops
/// first. Grains are virtual: without this nothing would bring a replica back.
/// </summary>
internal sealed class MultiRaftLifecycle(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        // Storage first, before the silo joins: a WAL that cannot be recovered keeps it out.
        lifecycle.Subscribe(nameof(MultiRaftLifecycle), ServiceLifecycleStage.RuntimeInitialize, OpenStorageAsync, _ => Task.CompletedTask);
        lifecycle.Subscribe(nameof(MultiRaftLifecycle), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    private async Task OpenStorageAsync(CancellationToken cancellationToken)
    {
        await services.GetRequiredService<MultiRaftStorage>().OpenAsync(cancellationToken).ConfigureAwait(false);
        // A worker that dies (a storage fault: fail stop) takes the silo down: it must not serve
        // on without durable storage. Exit code 70 tells a supervisor why. Hooked before the
        // workers start, which the recovery below does.
        var lifetime = services.GetService<IHostApplicationLifetime>();
        services.GetRequiredService<SiloEngine>().Failed += _ =>
        {
            Environment.ExitCode = 70;
            lifetime?.StopApplication();
        };
        // Recovered replicas load while the silo joins (a restart's longest local step).
        services.GetRequiredService<SiloCluster>().BeginRecovery();
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<SiloOptions>();
        var lifetime = services.GetService<IHostApplicationLifetime>();
        // A silo the operator removed stops for good, cleanly (exit code 0), so that a supervisor
        // restarting on failure (run.sh, compose's "on-failure") leaves it down.
        services.GetRequiredService<SiloCluster>().Removed += () => lifetime?.StopApplication();
        var sender = new OrleansRaftSender(services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<SiloDirectory>(),
            options.SiloId);
        return services.GetRequiredService<SiloCluster>().StartAsync(sender, cancellationToken);
    }

    private Task StopAsync(CancellationToken cancellationToken) => services.GetRequiredService<SiloCluster>().StopAsync();
}
