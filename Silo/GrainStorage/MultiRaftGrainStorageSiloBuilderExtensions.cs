using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiRaft.Client;
using MultiRaft.GrainStorage;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>Adds MultiRaft grain storage to a silo that runs the store (<c>siloBuilder.AddMultiRaft(...)</c>).</summary>
public static class MultiRaftGrainStorageSiloBuilderExtensions
{
    /// <summary>Adds a grain storage provider named <paramref name="name"/> with settings from <paramref name="configure"/>.</summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names each.</exception>
    public static ISiloBuilder AddMultiRaftGrainStorage(this ISiloBuilder silo, string name, Action<MultiRaftGrainStorageOptions>? configure = null)
    {
        var options = new MultiRaftGrainStorageOptions();
        configure?.Invoke(options);
        return silo.AddMultiRaftGrainStorage(name, options);
    }

    /// <summary>
    /// Adds a grain storage provider named <paramref name="name"/> (<c>[PersistentState("state", "name")]</c>)
    /// that keeps each grain's state in the store: replicated, read linearizably, written with
    /// the ETag as a condition (see <see cref="MultiRaftGrainStorage"/>). The silo must also run
    /// the store (<c>AddMultiRaft</c>), whose <see cref="MultiRaftClient"/> the provider uses.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names each.</exception>
    public static ISiloBuilder AddMultiRaftGrainStorage(this ISiloBuilder silo, string name, MultiRaftGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        var validation = new MultiRaftGrainStorageOptionsValidator().Validate(name, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(name ?? "", typeof(MultiRaftGrainStorageOptions), validation.Failures);
        }

        silo.Services.AddGrainStorage(name, (services, key) => Create(services, key, options));
        return silo;
    }

    /// <summary>Adds the default grain storage provider (for <c>[PersistentState("state")]</c> without a provider name) with settings from <paramref name="configure"/>.</summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names each.</exception>
    public static ISiloBuilder AddMultiRaftGrainStorageAsDefault(this ISiloBuilder silo, Action<MultiRaftGrainStorageOptions>? configure = null) =>
        silo.AddMultiRaftGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds the default grain storage provider (for <c>[PersistentState("state")]</c> without a provider name).</summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names each.</exception>
    public static ISiloBuilder AddMultiRaftGrainStorageAsDefault(this ISiloBuilder silo, MultiRaftGrainStorageOptions options) =>
        silo.AddMultiRaftGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, options);

    private static MultiRaftGrainStorage Create(IServiceProvider services, string name, MultiRaftGrainStorageOptions options)
    {
        var store = services.GetService<MultiRaftClient>()
            ?? throw new InvalidOperationException(
                $"MultiRaft grain storage '{name}' needs the store on this silo: add it with siloBuilder.AddMultiRaft(...).");
        var serializer = options.GrainStorageSerializer
            ?? services.GetKeyedService<IGrainStorageSerializer>(name)
            ?? new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
        return new MultiRaftGrainStorage(name, options, store, serializer, services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<ILogger<MultiRaftGrainStorage>>());
    }
}
