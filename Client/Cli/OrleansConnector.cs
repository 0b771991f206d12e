using System.Net;
using MultiRaft.Client;

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
                try
                {
                    gateways.Add(await GatewayEndpoint.ResolveAsync(endpoint, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException or FormatException)
                {
                    throw new ReplicaUnreachableException($"cannot resolve the gateway '{endpoint}': {ex.Message}", ex) { MayHaveArrived = false };
                }
            }
        }

        try
        {
            var host = await MultiRaftClientHost.StartAsync(client => Clustering(client, connection, gateways), connection.ClusterId,
                connection.ServiceId, o =>
                {
                    o.RequestTimeout = connection.Client.RequestTimeout;
                    o.InitialRetryDelay = connection.Client.InitialRetryDelay;
                    o.MaxRetryDelay = connection.Client.MaxRetryDelay;
                }, connection.Client.RequestTimeout, cancellationToken).ConfigureAwait(false);
            return new CliClient(host.Client, host);
        }
        catch (ReplicaUnreachableException ex)
        {
            var through = connection.Postgres is null ? string.Join(", ", connection.Endpoints) : "the gateways in PostgreSQL";
            throw new ReplicaUnreachableException($"{ex.Message} (through {through})", ex) { MayHaveArrived = false };
        }
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
}
