using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Runtime;
using MultiRaft.Http;
using MultiRaft.Silo.Cluster;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Placement;
using MultiRaft.Silo.Requests;
using MultiRaft.Storage;
using Orleans.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace MultiRaft.Silo.Hosting;

/// <summary>Adds the MultiRaft store to an Orleans silo.</summary>
public static class MultiRaftSiloBuilderExtensions
{
    /// <summary>
    /// Adds the store to <paramref name="silo"/>: the engine over <paramref name="store"/> (opened
    /// by the caller), the replica, silo and router grains with their placement, the silo's
    /// lifecycle participant, and a <see cref="MultiRaftClient"/> for grain code and the HTTP API.
    /// The silo takes ownership of <paramref name="store"/> and disposes it with itself.
    /// The silo's Orleans name must be <see cref="SiloOptions.SiloId"/>.
    /// </summary>
    public static ISiloBuilder AddMultiRaft(this ISiloBuilder silo, SiloOptions options, ReplicaStore store)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        var services = silo.Services;
        silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = options.SiloId);
        // A pinned grain whose silo is down is refused at once: the caller tries another member.
        silo.Configure<SiloMessagingOptions>(o => o.PlacementMaxRetries = 0);
        silo.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        // Registered through a factory so that the container owns it: disposing the silo disposes
        // the store (after the engine, which was built from it), which lets go of its WAL
        // directory, so the silo can be started again in this process.
        services.AddSingleton(_ => store);
        services.AddSingleton<SiloDirectory>();
        services.AddSingleton(sp => new SiloEngine(options, sp.GetRequiredService<ReplicaStore>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SiloEngine>>()));
        services.AddSingleton<SiloCluster>();
        services.AddSingleton<ISiloServices, SiloServices>();
        services.AddSingleton<IReplicaOperations, SiloRequestHandler>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MultiRaftLifecycle>();
        services.AddMultiRaftClient(c => c.RequestTimeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs));
        services.AddSingleton<ILocalWrites, LocalWrites>();
        return silo;
    }
}
