using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MultiRaft.Transport;

/// <summary>Wiring of the transport into a host.</summary>
public static class TransportServiceExtensions
{
    /// <summary>
    /// Registers the listener's services: the options (validated at start) and the connection
    /// handler. The application registers its <see cref="IMessageSink"/>.
    /// </summary>
    public static IServiceCollection AddSiloTransport(this IServiceCollection services, Action<TransportOptions> configure)
    {
        services.Configure(configure);
        services.AddOptions<TransportOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TransportOptions>, TransportOptionsValidator>());
        services.TryAddSingleton<SiloConnectionHandler>();
        return services;
    }

    /// <summary>Serves the silo-to-silo protocol on <paramref name="endPoint"/> (port 0 picks a free port).</summary>
    public static KestrelServerOptions ListenSiloTransport(this KestrelServerOptions kestrel, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Listen(endPoint, listen => listen.UseConnectionHandler<SiloConnectionHandler>());
        return kestrel;
    }
}
