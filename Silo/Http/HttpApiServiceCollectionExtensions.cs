using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MultiRaft.Http;

/// <summary>Registers the HTTP API's services.</summary>
public static class HttpApiServiceCollectionExtensions
{
    /// <summary>
    /// Adds the HTTP API's options (validated at first use). The API also needs a
    /// <see cref="MultiRaft.Client.MultiRaftClient"/> registered by the host.
    /// </summary>
    public static IServiceCollection AddMultiRaftHttpApi(this IServiceCollection services, Action<HttpApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<HttpApiOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.Validate(o => o.MaxKeyBytes > 0, "MaxKeyBytes must be positive.")
            .Validate(o => o.MaxValueBytes >= 0, "MaxValueBytes must not be negative.");
        services.AddLogging();
        return services;
    }

    internal static HttpApiOptions ApiOptions(this IServiceProvider services) =>
        services.GetRequiredService<IOptions<HttpApiOptions>>().Value;
}
