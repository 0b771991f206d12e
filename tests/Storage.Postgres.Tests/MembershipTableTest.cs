using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>
/// A test of the migrated schema through Orleans' own ADO.NET membership table, so that the
/// statements are run with the parameters, types and result handling of the real provider.
/// </summary>
public abstract class MembershipTableTest(PostgresServerFixture server) : PostgresTest(server)
{
    protected const string ClusterId = "cluster-a";

    /// <summary>A time the database stores exactly (whole microseconds, UTC), so reads compare equal.</summary>
    protected static readonly DateTime T0 = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly ServiceProvider NoServices = new ServiceCollection().BuildServiceProvider();

    protected string ConnectionString => PostgresClustering.ConnectionString(Server.ConnectionString, Schema);

    /// <summary>The provider on this test's schema, migrated and initialized as a starting silo does.</summary>
    protected async Task<AdoNetClusteringTable> TableAsync(string clusterId = ClusterId)
    {
        await PostgresSchema.MigrateAsync(Server.ConnectionString, Schema, Ct);
        var table = new AdoNetClusteringTable(
            NoServices,
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "multiraft-tests" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgresClustering.Invariant, ConnectionString = ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(true, Ct);
        return table;
    }

    /// <summary>A silo's row; its proxy (gateway) port is its port + 1000.</summary>
    protected static MembershipEntry Entry(int port, SiloStatus status, DateTime? time = null, int generation = 7) => new()
    {
        SiloAddress = Address(port, generation),
        SiloName = $"silo-{port}",
        HostName = "host-1",
        Status = status,
        ProxyPort = port + 1000,
        StartTime = time ?? T0,
        IAmAliveTime = time ?? T0,
    };

    protected static SiloAddress Address(int port, int generation = 7) => SiloAddress.New(IPAddress.Loopback, port, generation);

    /// <summary>Inserts <paramref name="entry"/> at the table's current version, as a joining silo does.</summary>
    protected static async Task InsertAsync(IMembershipTable table, MembershipEntry entry)
    {
        var read = await table.ReadAllAsync(Ct);
        Assert.True(await table.InsertRowAsync(entry, read.Version.Next(), Ct), $"inserting {entry.SiloAddress} at {read.Version}");
    }

    protected static async Task<MembershipEntry> ReadAsync(IMembershipTable table, SiloAddress address)
    {
        var row = await table.ReadRowAsync(address, Ct);
        return Assert.Single(row.Members).Item1;
    }

    /// <summary>Every stored field of a row, for exact comparison.</summary>
    protected static string Describe(MembershipEntry e) =>
        $"{e.SiloAddress} {e.SiloName} {e.HostName} {e.Status} proxy={e.ProxyPort} start={e.StartTime:O} alive={e.IAmAliveTime:O} " +
        $"votes=[{string.Join(";", (e.SuspectTimes ?? []).Select(v => $"{v.Item1}@{v.Item2:yyyy-MM-dd HH:mm:ss.fff}"))}]";
}
