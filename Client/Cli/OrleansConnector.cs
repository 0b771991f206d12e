using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using Orleans.Configuration;
using Orleans.Hosting;

namespace MultiRaft.Cli;

/// <summary>Connects the tool to a cluster as an Orleans client over the given gateways.</summary>
internal static class OrleansConnector
{
    public static async Task<CliClient> ConnectAsync(CliConnection connection, CancellationToken cancellationToken)
    {
        var gateways = new List<IPEndPoint>();
        if (connection.Postgres is null)
        {
            foreach (var endpoint in connection.Endpoints)
            {
                gateways.Add(await ResolveAsync(endpoint, cancellationToken).ConfigureAwait(false));
            }
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // The tool's output is its answer; Orleans' own log lines would only get in its way.
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => Clustering(client, connection, gateways)
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = connection.ClusterId;
                o.ServiceId = connection.ServiceId;
            })
            .AddMultiRaftClient(o =>
            {
                o.RequestTimeout = connection.Client.RequestTimeout;
                o.InitialRetryDelay = connection.Client.InitialRetryDelay;
                o.MaxRetryDelay = connection.Client.MaxRetryDelay;
            }));
        var host = builder.Build();
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(connection.Client.RequestTimeout);
            await host.StartAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var through = connection.Postgres is null ? string.Join(", ", connection.Endpoints) : "the gateways in PostgreSQL";
            var why = ex is OperationCanceledException ? $"no gateway answered within {connection.Client.RequestTimeout.TotalSeconds:0.###} s" : ex.Message;
            throw new ReplicaUnreachableException($"cannot connect to the cluster '{connection.ClusterId}' through {through}: {why}", ex)
            {
                MayHaveArrived = false,
            };
        }

        return new CliClient(host.Services.GetRequiredService<MultiRaftClient>(), new HostLifetime(host));
    }

    // Static clustering over the given gateways, or ADO.NET clustering reading the silos' own
    // membership table (the schema is on the search path, as the silos set it).
    private static IClientBuilder Clustering(IClientBuilder client, CliConnection connection, List<IPEndPoint> gateways) =>
        connection.Postgres is null
            ? client.UseStaticClustering([.. gateways])
            : client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(connection.Postgres) { SearchPath = connection.PostgresSchema }.ConnectionString;
            });

    private static async Task<IPEndPoint> ResolveAsync(string endpoint, CancellationToken cancellationToken)
    {
        var colon = endpoint.LastIndexOf(':');
        var host = endpoint[..colon].Trim('[', ']');
        var port = int.Parse(endpoint.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return new IPEndPoint(addresses.First(), port);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new ReplicaUnreachableException($"cannot resolve the gateway host '{host}': {ex.Message}", ex) { MayHaveArrived = false };
        }
    }

    private sealed class HostLifetime(IHost host) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await host.StopAsync().ConfigureAwait(false);
            }
            finally
            {
                host.Dispose();
            }
        }
    }
}
