using System.Diagnostics.Metrics;
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
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace MultiRaft.Silo.Hosting;

/// <summary>Adds the MultiRaft store to an Orleans silo.</summary>
public static class MultiRaftSiloBuilderExtensions
{
    /// <summary>
    /// Adds the store to <paramref name="silo"/> with settings from <paramref name="configure"/>
    /// (see <see cref="AddMultiRaft(ISiloBuilder, SiloOptions)"/>).
    /// </summary>
    public static ISiloBuilder AddMultiRaft(this ISiloBuilder silo, Action<SiloOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SiloOptions();
        configure(options);
        return silo.AddMultiRaft(options);
    }

    /// <summary>
    /// Adds the store to <paramref name="silo"/>: its storage (opened as the silo starts), the
    /// engine, the replica, silo and router grains with their placement, the lifecycle that
    /// recovers the silo's replicas once Orleans is active, and a <see cref="MultiRaftClient"/>
    /// for grain code and the HTTP API. The Orleans silo name is set to
    /// <see cref="SiloOptions.SiloId"/>, which must stay the same across restarts.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names each.</exception>
    public static ISiloBuilder AddMultiRaft(this ISiloBuilder silo, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        var validation = new SiloOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(SiloOptions), typeof(SiloOptions), validation.Failures);
        }

        var services = silo.Services;
        silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = options.SiloId);
        // A pinned grain whose silo is down is refused at once: the caller tries another member.
        silo.Configure<SiloMessagingOptions>(o => o.PlacementMaxRetries = 0);
        silo.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MultiRaftStorage>();
        services.AddSingleton<SiloDirectory>();
        // The storage (and the WAL directory's lock) is released when the container disposes
        // MultiRaftStorage, after the engine that was created from it.
        services.AddMetrics();
        services.AddSingleton(sp => new SiloEngine(options, sp.GetRequiredService<MultiRaftStorage>().Store,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SiloEngine>>(),
            MultiRaftMeter.Create(sp.GetRequiredService<IMeterFactory>(), options.SiloId)));
        services.AddSingleton<SiloCluster>();
        services.AddSingleton<ISiloServices, SiloServices>();
        services.AddSingleton<IReplicaOperations, SiloRequestHandler>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MultiRaftLifecycle>();
        services.AddMultiRaftClient(c =>
        {
            c.RequestTimeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs);
            // The HTTP API's write sessions outlive a restart of the silo, where the data
            // directory is this silo's own (file storage): a restarted silo then writes to each
            // shard at once instead of first opening a session there.
            c.SessionFile = options.Storage == "file" ? Path.Combine(options.DataDirectory, "client-sessions") : null;
        });
        services.AddSingleton<ILocalWrites, LocalWrites>();
        return silo;
    }
}
