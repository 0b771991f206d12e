using Orleans;
using Orleans.Runtime;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>
/// The membership protocol's table semantics (IMembershipTable): reads return rows and the
/// table version together; a write takes effect only at the version read, together with the
/// version's bump, or not at all.
/// </summary>
public sealed class MembershipTableTests(PostgresServerFixture server) : MembershipTableTest(server)
{
    [Fact]
    public async Task ANewClusterReadsEmptyAtVersion0AndStartingAgainKeepsItsOneVersionRow()
    {
        var table = await TableAsync();
        await (await TableAsync()).InitializeMembershipTableAsync(true, Ct);

        var all = await table.ReadAllAsync(Ct);

        Assert.Empty(all.Members);
        Assert.Equal((0, "0"), (all.Version.Version, all.Version.VersionEtag));
        Assert.Equal(1L, await Server.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.orleans_membership_version"));
    }

    [Fact]
    public async Task AnInsertAtTheVersionReadStoresEveryFieldAndBumpsTheVersion()
    {
        var table = await TableAsync();
        var entry = Entry(11111, SiloStatus.Joining);

        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));

        var all = await table.ReadAllAsync(Ct);
        var (read, etag) = Assert.Single(all.Members);
        Assert.Equal(Describe(entry), Describe(read));
        Assert.Equal((1, "1", "1"), (all.Version.Version, all.Version.VersionEtag, etag));
        var row = await table.ReadRowAsync(entry.SiloAddress, Ct);
        Assert.Equal(Describe(entry), Describe(Assert.Single(row.Members).Item1));
        var other = await table.ReadRowAsync(Address(11111, generation: 8), Ct);
        Assert.Empty(other.Members);
        Assert.Equal(1, other.Version.Version);
    }

    [Fact]
    public async Task AnInsertAtAStaleVersionChangesNothing()
    {
        var table = await TableAsync();
        var stale = (await table.ReadAllAsync(Ct)).Version.Next();
        await InsertAsync(table, Entry(11111, SiloStatus.Joining));

        Assert.False(await table.InsertRowAsync(Entry(22222, SiloStatus.Joining), stale, Ct));

        var all = await table.ReadAllAsync(Ct);
        Assert.Equal([11111], all.Members.Select(m => m.Item1.SiloAddress.Endpoint.Port));
        Assert.Equal(1, all.Version.Version);
    }

    [Fact]
    public async Task InsertingARowThatExistsFailsAndKeepsTheVersion()
    {
        var table = await TableAsync();
        await InsertAsync(table, Entry(11111, SiloStatus.Joining));

        Assert.False(await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync(Ct)).Version.Next(), Ct));

        var all = await table.ReadAllAsync(Ct);
        Assert.Equal(SiloStatus.Joining, Assert.Single(all.Members).Item1.Status);
        Assert.Equal(1, all.Version.Version);
    }

    [Fact]
    public async Task AnUpdateAtTheVersionReadReplacesStatusVotesAndHeartbeat()
    {
        var table = await TableAsync();
        var entry = Entry(11111, SiloStatus.Joining);
        await InsertAsync(table, entry);
        var read = await table.ReadAllAsync(Ct);
        entry.Status = SiloStatus.Active;
        entry.IAmAliveTime = T0.AddSeconds(5);
        entry.SuspectTimes = [Tuple.Create(Address(22222), T0.AddSeconds(3)), Tuple.Create(Address(33333), T0.AddSeconds(4))];

        Assert.True(await table.UpdateRowAsync(entry, read.Members[0].Item2, read.Version.Next(), Ct));

        var all = await table.ReadAllAsync(Ct);
        Assert.Equal(Describe(entry), Describe(Assert.Single(all.Members).Item1));
        Assert.Equal(2, all.Version.Version);
    }

    [Fact]
    public async Task AnUpdateAtAStaleVersionChangesNothing()
    {
        var table = await TableAsync();
        var entry = Entry(11111, SiloStatus.Joining);
        await InsertAsync(table, entry);
        var read = await table.ReadAllAsync(Ct);
        await InsertAsync(table, Entry(22222, SiloStatus.Joining));
        entry.Status = SiloStatus.Active;

        Assert.False(await table.UpdateRowAsync(entry, read.Members[0].Item2, read.Version.Next(), Ct));

        Assert.Equal(SiloStatus.Joining, (await ReadAsync(table, entry.SiloAddress)).Status);
        Assert.Equal(2, (await table.ReadAllAsync(Ct)).Version.Version);
    }

    [Fact]
    public async Task AnUpdateOfAMissingRowFailsWithoutBumpingTheVersion()
    {
        var table = await TableAsync();
        await InsertAsync(table, Entry(11111, SiloStatus.Joining));
        var read = await table.ReadAllAsync(Ct);

        Assert.False(await table.UpdateRowAsync(Entry(22222, SiloStatus.Active), read.Version.VersionEtag, read.Version.Next(), Ct));

        var all = await table.ReadAllAsync(Ct);
        Assert.Single(all.Members);
        Assert.Equal(1, all.Version.Version);
    }

    [Fact]
    public async Task ConcurrentInsertsAtOneVersionLetExactlyOneThroughEachRound()
    {
        // Separate provider instances, as separate silos: each statement on its own connection.
        var tables = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => TableAsync()));
        for (var round = 0; round < 5; round++)
        {
            var version = (await tables[0].ReadAllAsync(Ct)).Version.Next();

            var results = await Task.WhenAll(tables.Select((t, i) => t.InsertRowAsync(Entry(10000 + (round * 100) + i, SiloStatus.Joining), version, Ct)));

            var all = await tables[0].ReadAllAsync(Ct);
            Assert.Equal(1, results.Count(r => r));
            Assert.Equal(round + 1, all.Members.Count);
            Assert.Equal(round + 1, all.Version.Version);
        }
    }

    [Fact]
    public async Task ConcurrentUpdatesAtOneVersionLetExactlyOneThrough()
    {
        var tables = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => TableAsync()));
        for (var i = 0; i < tables.Length; i++)
        {
            await InsertAsync(tables[0], Entry(10000 + i, SiloStatus.Joining));
        }

        var read = await tables[0].ReadAllAsync(Ct);
        var results = await Task.WhenAll(tables.Select((t, i) =>
            t.UpdateRowAsync(Entry(10000 + i, SiloStatus.Active), read.Version.VersionEtag, read.Version.Next(), Ct)));

        var all = await tables[0].ReadAllAsync(Ct);
        Assert.Equal(1, results.Count(r => r));
        Assert.Single(all.Members, m => m.Item1.Status == SiloStatus.Active);
        Assert.Equal(tables.Length + 1, all.Version.Version);
    }

    [Fact]
    public async Task AHeartbeatWritesOnlyTheAliveTimeAndLeavesTheVersion()
    {
        var table = await TableAsync();
        var entry = Entry(11111, SiloStatus.Joining);
        await InsertAsync(table, entry);
        var beat = Entry(11111, SiloStatus.Dead, T0.AddSeconds(9));

        await table.UpdateIAmAliveAsync(beat, Ct);

        entry.IAmAliveTime = beat.IAmAliveTime;
        Assert.Equal(Describe(entry), Describe(await ReadAsync(table, entry.SiloAddress)));
        Assert.Equal(1, (await table.ReadAllAsync(Ct)).Version.Version);
    }

    [Fact]
    public async Task ClustersSharingTheSchemaSeeOnlyTheirOwnRows()
    {
        var a = await TableAsync("cluster-a");
        var b = await TableAsync("cluster-b");
        await InsertAsync(a, Entry(11111, SiloStatus.Active));
        await InsertAsync(b, Entry(11111, SiloStatus.Joining));
        await InsertAsync(b, Entry(22222, SiloStatus.Joining));

        var readA = await a.ReadAllAsync(Ct);
        var readB = await b.ReadAllAsync(Ct);

        Assert.Equal((1, SiloStatus.Active), (readA.Version.Version, Assert.Single(readA.Members).Item1.Status));
        Assert.Equal((2, 2), (readB.Version.Version, readB.Members.Count));
    }
}
