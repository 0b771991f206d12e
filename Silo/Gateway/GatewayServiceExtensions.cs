using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MultiRaft.Gateway;

/// <summary>Wiring of the client gateway into a host.</summary>
public static class GatewayServiceExtensions
{
    /// <summary>
    /// Registers the gateway's services: the options (validated at start) and the connection
    /// handler. The application registers its <see cref="IClientRequestHandler"/>.
    /// </summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, Action<GatewayOptions> configure)
    {
        services.Configure(configure);
        services.AddOptions<GatewayOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.TryAddSingleton<GatewayConnectionHandler>();
        return services;
    }

    /// <summary>Serves the client protocol on <paramref name="endPoint"/> (port 0 picks a free port).</summary>
    public static KestrelServerOptions ListenGateway(this KestrelServerOptions kestrel, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Listen(endPoint, listen => listen.UseConnectionHandler<GatewayConnectionHandler>());
        return kestrel;
    }
}
