using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiRaft.Tests.Support;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace MultiRaft.Storage.Postgres.Tests.Orleans;

/// <summary>
/// Real silos and a real client in this process, clustered through Orleans' ADO.NET provider
/// on a schema migrated by <see cref="PostgresSchema"/>: they find each other, serve a call,
/// and see a graceful stop, all through the tables.
/// </summary>
public sealed class OrleansClusterTests(PostgresServerFixture server) : PostgresTest(server)
{
    // Bounds on Orleans' own notifications; the steps take well under a second here.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private readonly string _clusterId = $"cluster-{Guid.NewGuid():N}";
    private readonly List<IHost> _hosts = [];

    private string ClusteringConnectionString => PostgresClustering.ConnectionString(Server.ConnectionString, Schema);

    [Fact]
    public async Task TwoSilosFormAClusterServeAClientAndSeeAGracefulStop()
    {
        await PostgresSchema.MigrateAsync(Server.ConnectionString, Schema, Ct);
        var ports = Ports.Free(4);
        try
        {
            var a = await StartAsync(Silo("silo-a", ports[0], ports[1]));
            var b = await StartAsync(Silo("silo-b", ports[2], ports[3]));
            var bAddress = b.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

            foreach (var silo in new[] { a, b })
            {
                var view = await MembershipWait.UntilAsync(Membership(silo),
                    s => MembershipWait.Describe(s) == "silo-a=Active,silo-b=Active", Bound, "both silos active");
                Assert.Equal(2, view.Members.Count);
            }

            Assert.Equal("silo-a=3,silo-b=3", await RowsAsync());

            var client = await StartAsync(Client());
            var echo = client.Services.GetRequiredService<IClusterClient>().GetGrain<IEchoGrain>(0);
            Assert.Contains(await echo.Echo("hi"), (string[])["hi from silo-a", "hi from silo-b"]);

            await b.StopAsync(Ct);

            var after = await MembershipWait.UntilAsync(Membership(a),
                s => s.Members.TryGetValue(bAddress, out var m) && m.Status == SiloStatus.Dead, Bound, "silo-b dead in silo-a's view");
            Assert.Equal("silo-a=Active,silo-b=Dead", MembershipWait.Describe(after));
            Assert.Equal("silo-a=3,silo-b=6", await RowsAsync());
        }
        finally
        {
            await StopAllAsync();
        }
    }

    private static IClusterMembershipService Membership(IHost silo) => silo.Services.GetRequiredService<IClusterMembershipService>();

    // Each silo's row as the table holds it: name=SiloStatus number.
    private Task<string> RowsAsync() => Server.ScalarAsync<string>(
        $"SELECT string_agg(silo_name || '=' || status, ',' ORDER BY silo_name) FROM {Schema}.orleans_membership WHERE cluster_id = '{_clusterId}'");

    private IHost Silo(string name, int siloPort, int gatewayPort) => new HostBuilder()
        .UseOrleans(silo => silo
            .UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresClustering.Invariant;
                o.ConnectionString = ClusteringConnectionString;
            })
            .Configure<ClusterOptions>(Cluster)
            .Configure<SiloOptions>(o => o.SiloName = name)
            .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort)
            // Short liveness timings keep the test fast; a graceful stop needs none of them,
            // but a silo that failed would be found out within seconds, not minutes.
            .Configure<ClusterMembershipOptions>(o =>
            {
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
            }))
        .Build();

    private IHost Client() => new HostBuilder()
        .UseOrleansClient(client => client
            .UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresClustering.Invariant;
                o.ConnectionString = ClusteringConnectionString;
            })
            .Configure<ClusterOptions>(Cluster))
        .Build();

    private void Cluster(ClusterOptions o)
    {
        o.ClusterId = _clusterId;
        o.ServiceId = "multiraft-tests";
    }

    // Bounded: a client that finds no gateway would otherwise keep retrying for minutes.
    private async Task<IHost> StartAsync(IHost host)
    {
        _hosts.Add(host);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(Bound);
        await host.StartAsync(bound.Token).WaitAsync(Bound, Ct);
        return host;
    }

    // Clients first, then silos, newest first; a host already stopped stops again at no cost.
    private async Task StopAllAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            using var bound = new CancellationTokenSource(Bound);
            await host.StopAsync(bound.Token);
            host.Dispose();
        }
    }
}
