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
/// Starts the store with the silo: its storage is recovered (every replica's log read back)
/// while Orleans starts, and the recovered replicas start loading as soon as it is (snapshots
/// restored, committed entries applied) while Orleans joins the cluster; the silo becomes active
/// in the cluster only once its storage is recovered. Once Orleans is active (grain calls work
/// and this silo can host pinned grains), the engine connects the replicas to the other silos and
/// starts ticking, or the silo bootstraps or joins; on shutdown the cluster work stops first.
/// Grains are virtual: without this nothing would bring a replica back.
/// </summary>
internal sealed class MultiRaftLifecycle(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    private Task? _recovering;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(MultiRaftLifecycle), ServiceLifecycleStage.RuntimeInitialize, BeginRecovery, _ => Task.CompletedTask);
        // Recovered before the silo becomes active: a WAL that cannot be recovered keeps it out.
        // Waited for this late (after the runtime's services and the join's first steps, before
        // it becomes active) so that the recovery, 1-2 s at 10,000 replicas, runs beside them.
        lifecycle.Subscribe(nameof(MultiRaftLifecycle), ServiceLifecycleStage.ApplicationServices,
            cancellationToken => _recovering!.WaitAsync(cancellationToken), _ => Task.CompletedTask);
        lifecycle.Subscribe(nameof(MultiRaftLifecycle), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    private Task BeginRecovery(CancellationToken cancellationToken)
    {
        // Off the lifecycle's thread: opening storage that SiloHost did not begin to open reads the WAL right away.
        _recovering = Task.Run(() => RecoverAsync(cancellationToken), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await services.GetRequiredService<MultiRaftStorage>().OpenAsync(cancellationToken).ConfigureAwait(false);
        // A start given up on meanwhile (the host stopping) starts no workers.
        cancellationToken.ThrowIfCancellationRequested();
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
