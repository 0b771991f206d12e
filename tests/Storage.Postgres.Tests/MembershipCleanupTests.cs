using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Membership;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>Removing defunct rows and whole clusters, and the gateway list clients read.</summary>
public sealed class MembershipCleanupTests(PostgresServerFixture server) : MembershipTableTest(server)
{
    private static readonly DateTime CutOff = T0.AddHours(1);

    private Task<string> PortsAsync() =>
        Server.ScalarAsync<string>($"SELECT coalesce(string_agg(port::text, ',' ORDER BY port), '') FROM {Schema}.orleans_membership");

    [Fact]
    public async Task CleanupRemovesOnlyDeadRowsWhoseStartHeartbeatAndVotesAreAllBeforeTheCutOff()
    {
        var table = await TableAsync();
        var old = T0;
        var recent = CutOff.AddMinutes(1);
        await InsertAsync(table, Entry(10001, SiloStatus.Dead, old));
        await InsertAsync(table, Entry(10002, SiloStatus.Dead, recent));
        await InsertAsync(table, Entry(10003, SiloStatus.Active, old));
        await InsertAsync(table, Entry(10004, SiloStatus.ShuttingDown, old));
        await VoteAsync(table, Entry(10005, SiloStatus.Dead, old), old.AddMinutes(1));
        await VoteAsync(table, Entry(10006, SiloStatus.Dead, old), recent);

        await table.CleanupDefunctSiloEntriesAsync(CutOff, Ct);

        Assert.Equal("10002,10003,10004,10006", await PortsAsync());
    }

    [Fact]
    public async Task CleanupLeavesTheVersion()
    {
        var table = await TableAsync();
        await InsertAsync(table, Entry(10001, SiloStatus.Dead, T0));

        await table.CleanupDefunctSiloEntriesAsync(CutOff, Ct);

        Assert.Equal("", await PortsAsync());
        Assert.Equal(1, (await table.ReadAllAsync(Ct)).Version.Version);
    }

    [Fact]
    public async Task TheBulkCleanupStatementRemovesOnlyOldDeadRowsWithoutVotes()
    {
        // The statement 10.4.2 falls back on when the per-row one is absent, run as it binds it.
        var table = await TableAsync();
        await InsertAsync(table, Entry(10001, SiloStatus.Dead, T0));
        await InsertAsync(table, Entry(10002, SiloStatus.Dead, CutOff.AddMinutes(1)));
        await InsertAsync(table, Entry(10003, SiloStatus.Active, T0));
        await VoteAsync(table, Entry(10004, SiloStatus.Dead, T0), T0.AddMinutes(1));
        await Server.ExecuteAsync($"DELETE FROM {Schema}.orleansquery WHERE querykey = 'CleanupDefunctSiloEntryKey'");
        var fallback = await TableAsync();

        await fallback.CleanupDefunctSiloEntriesAsync(CutOff, Ct);

        Assert.Equal("10002,10003,10004", await PortsAsync());
    }

    [Fact]
    public async Task DeletingAClusterRemovesItsRowsAndVersionAndNoOtherCluster()
    {
        var a = await TableAsync("cluster-a");
        var b = await TableAsync("cluster-b");
        await InsertAsync(a, Entry(10001, SiloStatus.Active));
        await InsertAsync(b, Entry(10002, SiloStatus.Active));

        await a.DeleteMembershipTableEntriesAsync("cluster-a", Ct);

        Assert.Equal("10002", await PortsAsync());
        Assert.Equal("cluster-b", await Server.ScalarAsync<string>($"SELECT string_agg(cluster_id, ',') FROM {Schema}.orleans_membership_version"));
    }

    [Fact]
    public async Task TheGatewayListHoldsTheActiveSilosThatHaveAGateway()
    {
        var table = await TableAsync();
        await InsertAsync(table, Entry(10001, SiloStatus.Active));
        await InsertAsync(table, Entry(10002, SiloStatus.Joining));
        await InsertAsync(table, Entry(10003, SiloStatus.Dead));
        var noGateway = Entry(10004, SiloStatus.Active);
        noGateway.ProxyPort = 0;
        await InsertAsync(table, noGateway);
        await InsertAsync(table, Entry(10005, SiloStatus.Active));
        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = PostgresClustering.Invariant, ConnectionString = ConnectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = ClusterId, ServiceId = "multiraft-tests" }));
        await gateways.InitializeGatewayListProviderAsync(Ct);

        var list = await gateways.GetGatewaysAsync(Ct);

        Assert.Equal(["127.0.0.1:11001", "127.0.0.1:11005"], list.Select(u => $"{u.Host}:{u.Port}").Order(StringComparer.Ordinal));
    }

    // Inserts a row and records one suspicion vote on it at <paramref name="at"/>.
    private static async Task VoteAsync(IMembershipTable table, MembershipEntry entry, DateTime at)
    {
        await InsertAsync(table, entry);
        var read = await table.ReadAllAsync(Ct);
        entry.SuspectTimes = [Tuple.Create(Address(1), at)];
        Assert.True(await table.UpdateRowAsync(entry, read.Version.VersionEtag, read.Version.Next(), Ct));
    }
}
