using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>
/// The public migration entry point creates what Orleans' ADO.NET clustering needs, once, and
/// the provider finds its statements through the search path that <see cref="PostgresClustering"/> sets.
/// </summary>
public sealed class ClusteringMigrationTests(PostgresServerFixture server) : PostgresTest(server)
{
    private const string Optional = "CleanupDefunctSiloEntryKey";

    private Task<int> MigrateAsync() => PostgresSchema.MigrateAsync(Server.ConnectionString, Schema, Ct);

    private Task<string> VersionsAsync() =>
        Server.ScalarAsync<string>($"SELECT string_agg(version::text, ',' ORDER BY version) FROM {Schema}.schema_version");

    // Every key and statement, so that a second run changing any of them shows.
    private Task<string> QueryRowsAsync() =>
        Server.ScalarAsync<string>($"SELECT string_agg(querykey || '=' || md5(querytext), ',' ORDER BY querykey) FROM {Schema}.orleansquery");

    // The keys the provider itself insists on when it loads its statements: it checks the
    // loaded keys against the internal properties of this type, so read the same list here.
    private static string[] KeysTheProviderRequires()
    {
        var stored = typeof(AdoNetClusteringTable).Assembly.GetType("Orleans.Clustering.AdoNet.Storage.DbStoredQueries", throwOnError: true)!;
        return stored.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public async Task AFreshDatabaseIsMigratedToTheLatestVersion()
    {
        var version = await MigrateAsync();

        Assert.Equal(2, version);
        Assert.Equal("1,2", await VersionsAsync());
        Assert.Equal(
            "orleans_membership,orleans_membership_version,orleansquery",
            await Server.ScalarAsync<string>(
                $"SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables " +
                $"WHERE table_schema = '{Schema}' AND table_name LIKE 'orleans%'"));
    }

    [Fact]
    public async Task MigratingTwiceChangesNothing()
    {
        await MigrateAsync();
        var rows = await QueryRowsAsync();

        var again = await MigrateAsync();

        Assert.Equal(2, again);
        Assert.Equal("1,2", await VersionsAsync());
        Assert.Equal(rows, await QueryRowsAsync());
    }

    [Fact]
    public async Task SilosMigratingTogetherMigrateOnce()
    {
        var versions = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => MigrateAsync()));

        Assert.Equal([2, 2, 2, 2], versions);
        Assert.Equal("1,2", await VersionsAsync());
    }

    [Fact]
    public async Task ASchemaAtVersion1GainsTheClusteringTablesAndKeepsItsData()
    {
        await Provider(migrations: [PostgresMigrations.All[0]]).RecoverAsync(Ct);
        Assert.Equal("1", await VersionsAsync());

        await MigrateAsync();

        Assert.Equal("1,2", await VersionsAsync());
        Assert.Equal(1L, await Server.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.silo"));
        Assert.Equal(0L, await Server.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.orleans_membership"));
    }

    [Fact]
    public async Task EveryQueryKeyTheProviderNeedsIsStored()
    {
        await MigrateAsync();

        // Pinned: a provider upgrade that needs another statement fails here first.
        Assert.Equal(
            [
                "CleanupDefunctSiloEntriesKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
                "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey",
                "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
            ],
            KeysTheProviderRequires());
        var stored = (await Server.ScalarAsync<string>($"SELECT string_agg(querykey, ',' ORDER BY querykey) FROM {Schema}.orleansquery")).Split(',');
        Assert.Equal([.. KeysTheProviderRequires().Append(Optional).Order(StringComparer.Ordinal)], stored);
    }

    [Fact]
    public async Task TheProviderLoadsItsStatementsThroughTheSearchPath()
    {
        await MigrateAsync();

        await Table(PostgresClustering.ConnectionString(Server.ConnectionString, Schema)).InitializeMembershipTableAsync(true, Ct);
        var e = await Assert.ThrowsAsync<PostgresException>(() => Table(Server.ConnectionString).InitializeMembershipTableAsync(true, Ct));

        Assert.Equal(1L, await Server.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.orleans_membership_version"));
        Assert.Equal("42P01", e.SqlState);
        Assert.Contains("orleansquery", e.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public void TheClusteringConnectionStringSearchesOnlyTheSchema()
    {
        var cs = new NpgsqlConnectionStringBuilder(
            PostgresClustering.ConnectionString("Host=db;Username=u;Search Path=public,other", "multiraft"));

        Assert.Equal("multiraft", cs.SearchPath);
        Assert.Equal("db", cs.Host);
        Assert.Equal("u", cs.Username);
    }

    [Theory]
    [InlineData("Public")]
    [InlineData("x; DROP TABLE y")]
    [InlineData("")]
    public async Task ASchemaNameThatIsNotAPlainIdentifierIsRefused(string schema)
    {
        Assert.Throws<ArgumentException>(() => PostgresClustering.ConnectionString(Server.ConnectionString, schema));
        await Assert.ThrowsAsync<ArgumentException>(() => PostgresSchema.MigrateAsync(Server.ConnectionString, schema, Ct));
    }

    private static AdoNetClusteringTable Table(string connectionString) => new(
        new ServiceCollection().BuildServiceProvider(),
        Options.Create(new ClusterOptions { ClusterId = "c", ServiceId = "s" }),
        Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgresClustering.Invariant, ConnectionString = connectionString }),
        NullLogger<AdoNetClusteringTable>.Instance);
}
