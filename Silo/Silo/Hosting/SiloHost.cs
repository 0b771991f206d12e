using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiRaft.Http;
using MultiRaft.Http.Ui;
using MultiRaft.Silo.Engine;
using MultiRaft.Storage;
using MultiRaft.Storage.FileWal;
using MultiRaft.Storage.Postgres;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;

namespace MultiRaft.Silo.Hosting;

/// <summary>
/// Builds a silo: an Orleans silo (silo port 11111, gateway 30000) with the store added
/// (<see cref="MultiRaftSiloBuilderExtensions.AddMultiRaft(ISiloBuilder, SiloOptions)"/>), the HTTP API (8080), the
/// Orleans Dashboard (<c>/dashboard</c> on the HTTP port), Prometheus metrics (<c>/metrics</c>) and the live view (<c>/ui</c>) in one web host. Program runs one; tests run several in one process.
/// </summary>
public static class SiloHost
{
    /// <summary>Entries of Orleans' grain directory cache (addresses of grains on other silos this silo calls).</summary>
    public const int DirectoryCacheSize = 10_000;

    /// <summary>Builds the silo's host and opens its storage (the host is not started).</summary>
    public static async Task<WebApplication> BuildAsync(SiloOptions options, IConfiguration? configuration = null,
        Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Development clustering's first silo holds the membership table: it is the one that starts a cluster.
        options.Bootstrap |= options.Clustering == "localhost" && options.Join.Length == 0;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        if (configuration is not null)
        {
            builder.Configuration.AddConfiguration(configuration);
        }

        if (logging is not null)
        {
            logging(builder.Logging);
        }

        if (options.Clustering == "postgres")
        {
            // Orleans creates no tables: the membership schema is migrated before the silo joins.
            await PostgresSchema.MigrateAsync(options.PostgresConnectionString, options.PostgresSchema, cancellationToken).ConfigureAwait(false);
        }

        var advertised = await AdvertisedAddressAsync(options.Host, cancellationToken).ConfigureAwait(false);
        var listen = IPAddress.Parse(options.Listen);
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen, options.HttpPort));
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort,
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
                    ? new IPEndPoint(advertised, options.SiloPort)
                    : IPEndPoint.Parse(options.Join));
            }

            // The directory cache's dictionary is made as large as the cache may grow (a million by
            // default), and the dashboard counts the cache each second by walking all of it: 1% of
            // a core per silo, idle. This silo calls few grains elsewhere (one per silo, the router,
            // a replica now and then for an administrative request), so a smaller cache loses nothing.
            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = DirectoryCacheSize);
            silo.AddMultiRaft(options);
            silo.AddDashboard();
        });
        builder.Services.AddMultiRaftHttpApi(h =>
        {
            h.MaxKeyBytes = options.MaxKeyBytes;
            h.MaxValueBytes = options.MaxValueBytes;
        });
        builder.Services.AddMultiRaftMetricsExport();

        var app = builder.Build();
        // Begun here, so that a WAL directory another silo holds (or a PostgreSQL server that does
        // not answer) is reported plainly before anything starts; the file WAL is then recovered
        // beside Orleans' start, and the silo waits for it before it joins the cluster
        // (MultiRaftLifecycle), where a corrupt record stops it.
        await app.Services.GetRequiredService<MultiRaftStorage>().BeginOpenAsync(cancellationToken).ConfigureAwait(false);
        app.MapMultiRaftHttpApi();
        app.UseOrleansDashboardOnDemand("/dashboard");
        app.MapMultiRaftMetrics();
        app.MapMultiRaftUi();
        return app;
    }

    // Orleans advertises an IP address; a host name (a container's service name) is resolved
    // once at start, preferring IPv4.
    private static async Task<IPAddress> AdvertisedAddressAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return addresses.OrderBy(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 0 : 1).First();
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new IOException($"--host '{host}' does not resolve to an address: {ex.Message}", ex);
        }
    }
}
