using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiRaft.Http;
using MultiRaft.Silo.Engine;
using MultiRaft.Storage;
using MultiRaft.Storage.FileWal;
using MultiRaft.Storage.Postgres;
using Orleans.Configuration;
using Orleans.Hosting;

namespace MultiRaft.Silo.Hosting;

/// <summary>
/// Builds a silo: an Orleans silo (silo port 11111, gateway 30000) with the store added
/// (<see cref="MultiRaftSiloBuilderExtensions.AddMultiRaft"/>) and the HTTP API (8080) in one web
/// host. Program runs one; tests run several in one process.
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
        try
        {
            return await BuildAroundAsync(builder, options, provider, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The caller gets no host to dispose, so nothing else would close the provider: close
            // it here, which lets go of its WAL directory, so that a start that failed can be
            // tried again in this process.
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<WebApplication> BuildAroundAsync(WebApplicationBuilder builder, SiloOptions options, IStorageProvider provider,
        CancellationToken cancellationToken)
    {
        var store = await ReplicaStore.OpenAsync(provider, cancellationToken).ConfigureAwait(false);

        if (options.Clustering == "postgres")
        {
            // Orleans creates no tables: the membership schema is migrated before the silo joins.
            await PostgresSchema.MigrateAsync(options.PostgresConnectionString, options.PostgresSchema, cancellationToken).ConfigureAwait(false);
        }

        var listen = IPAddress.Parse(options.Listen);
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen, options.HttpPort));
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Parse(options.Host), options.SiloPort, options.GatewayPort,
                listenOnAnyHostAddress: listen.Equals(IPAddress.Any));
            if (options.Clustering == "postgres")
            {
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresClustering.Invariant;
                    o.ConnectionString = PostgresClustering.ConnectionString(options.PostgresConnectionString, options.PostgresSchema);
                });
            }
            else
            {
                // Development clustering: the first silo keeps the membership table in memory.
                silo.UseDevelopmentClustering(options.Join.Length == 0
                    ? new IPEndPoint(IPAddress.Parse(options.Host), options.SiloPort)
                    : IPEndPoint.Parse(options.Join));
            }

            silo.AddMultiRaft(options, store);
        });
        builder.Services.AddMultiRaftHttpApi(h =>
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
