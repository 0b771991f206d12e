using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiRaft.Client;
using MultiRaft.Gateway;
using MultiRaft.Http;
using MultiRaft.Silo.Cluster;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Requests;
using MultiRaft.Storage;
using MultiRaft.Storage.FileWal;
using MultiRaft.Storage.Postgres;
using MultiRaft.Transport;

namespace MultiRaft.Silo.Hosting;

/// <summary>
/// Builds a silo: storage, engine, transport (port 11111), gateway (30000), HTTP API (8080)
/// and the cluster service, in one generic host. Program runs one; tests run several in one
/// process.
/// </summary>
public static class SiloHost
{
    /// <summary>Opens the silo's storage and builds its host (not started).</summary>
    public static async Task<WebApplication> BuildAsync(SiloOptions options, IConfiguration? configuration = null,
        Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        if (configuration is not null)
        {
            builder.Configuration.AddConfiguration(configuration);
        }

        if (logging is not null)
        {
            logging(builder.Logging);
        }

        IStorageProvider provider = options.Storage == "postgres"
            ? new PostgresStorageProvider(new PostgresStorageOptions { ConnectionString = options.PostgresConnectionString, Schema = options.PostgresSchema, SiloId = options.SiloId })
            : new FileWalProvider(new FileWalOptions { Directory = Path.GetFullPath(Path.Combine(options.DataDirectory, "wal")) });
        var store = await ReplicaStore.OpenAsync(provider, cancellationToken).ConfigureAwait(false);

        var listen = IPAddress.Parse(options.Listen);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenSiloTransport(new IPEndPoint(listen, options.SiloPort));
            k.ListenGateway(new IPEndPoint(listen, options.GatewayPort));
            k.Listen(listen, options.HttpPort);
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton(sp => new SiloEngine(options, sp.GetRequiredService<ReplicaStore>(), sp.GetRequiredService<ILogger<SiloEngine>>()));
        services.AddSingleton<IMessageSink>(sp => sp.GetRequiredService<SiloEngine>());
        services.AddSiloTransport(t =>
        {
            t.ClusterId = options.ClusterId;
            t.ServiceId = options.ServiceId;
            t.SiloId = options.SiloId;
            t.Port = options.SiloPort;
        });
        services.AddSingleton(sp => new SiloTransport(sp.GetRequiredService<IOptions<TransportOptions>>(), sp.GetRequiredService<SiloEngine>(),
            sp.GetRequiredService<ILogger<SiloTransport>>()));
        services.AddSingleton<IClientRequestHandler, SiloRequestHandler>();
        services.AddGateway(g =>
        {
            g.ClusterId = options.ClusterId;
            g.SiloId = options.SiloId;
            g.Port = options.GatewayPort;
        });
        services.AddSingleton<IGatewayConnector>(sp => new LocalGatewayConnector(options.GatewayAddress,
            sp.GetRequiredService<IClientRequestHandler>, new TcpGatewayConnector(options.ClusterId, clientName: "silo-" + options.SiloId)));
        services.AddSingleton<SiloCluster>();
        services.AddHostedService(sp => sp.GetRequiredService<SiloCluster>());
        services.AddSingleton(sp =>
        {
            var clientOptions = new MultiRaftClientOptions { ClusterId = options.ClusterId, RequestTimeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs) };
            clientOptions.Endpoints.Add(options.GatewayAddress);
            return new MultiRaftClient(clientOptions, sp.GetRequiredService<IGatewayConnector>());
        });
        services.AddSingleton<ILocalWrites, LocalWrites>();
        services.AddMultiRaftHttpApi(h =>
        {
            h.MaxKeyBytes = options.MaxKeyBytes;
            h.MaxValueBytes = options.MaxValueBytes;
        });

        var app = builder.Build();
        var engine = app.Services.GetRequiredService<SiloEngine>();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        engine.Failed += _ =>
        {
            Environment.ExitCode = 70;
            lifetime.StopApplication();
        };
        app.MapMultiRaftHttpApi();
        return app;
    }
}
