using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MultiRaft.Client;
using Orleans;
using Orleans.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds <see cref="MultiRaftClient"/> to an Orleans client or silo.</summary>
public static class MultiRaftClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MultiRaftClient"/> (a singleton over the host's <see cref="IGrainFactory"/>)
    /// on an Orleans client: <c>builder.UseOrleansClient(c => c.UseLocalhostClustering().AddMultiRaftClient())</c>.
    /// </summary>
    public static IClientBuilder AddMultiRaftClient(this IClientBuilder builder, Action<MultiRaftClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMultiRaftClient(configure);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="MultiRaftClient"/> in any container that has an Orleans
    /// <see cref="IGrainFactory"/> (an Orleans client's, or a silo's, for grain code).
    /// </summary>
    public static IServiceCollection AddMultiRaftClient(this IServiceCollection services, Action<MultiRaftClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MultiRaftClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.RequestTimeout > TimeSpan.Zero && o.InitialRetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.InitialRetryDelay
                              && o.AttemptTimeout >= TimeSpan.FromMilliseconds(10),
            "MultiRaftClientOptions: RequestTimeout and InitialRetryDelay must be positive, MaxRetryDelay at least InitialRetryDelay, AttemptTimeout at least 10 ms.");
        services.TryAddSingleton<IGrainChannel>(sp => new OrleansGrainChannel(sp.GetRequiredService<IGrainFactory>()));
        services.TryAddSingleton(sp => new MultiRaftClient(sp.GetRequiredService<IOptions<MultiRaftClientOptions>>().Value,
            sp.GetRequiredService<IGrainChannel>()));
        return services;
    }
}
