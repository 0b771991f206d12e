using MultiRaft.Raft;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>The schema is created once, brought forward by later migrations, and never run by a build that does not know it.</summary>
public sealed class MigrationTests(PostgresServerFixture server) : PostgresTest(server)
{
    private static readonly ReplicaId A = new(1, 1);

    private Task<string> VersionsAsync() =>
        Server.ScalarAsync<string>($"SELECT string_agg(version::text, ',' ORDER BY version) FROM {Schema}.schema_version");

    [Fact]
    public async Task OpeningTwiceCreatesTheSchemaOnceAtTheLatestVersion()
    {
        var (first, _) = await OpenAsync();
        await AppendDurably(first, A, new HardState(1, 1, 0), Entries(1, 1, 2));
        await CloseAsync(first);

        var (_, state) = await OpenAsync();

        Assert.Equal("1,2", await VersionsAsync());
        Assert.Equal(2, PostgresStorageProvider.SchemaVersion);
        Assert.Equal(2, state[A].Entries.Count);
    }

    [Fact]
    public async Task SilosStartingTogetherMigrateTheSchemaOnce()
    {
        var providers = Enumerable.Range(0, 4).Select(i => Provider(Server.Options(Schema, $"silo-{i}"))).ToArray();

        await Task.WhenAll(providers.Select(p => p.RecoverAsync(Ct).AsTask()));

        Assert.Equal("1,2", await VersionsAsync());
        Assert.Equal(4L, await Server.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.silo"));
    }

    [Fact]
    public async Task ALaterMigrationIsAppliedOnTopAndKeepsTheData()
    {
        var (first, _) = await OpenAsync();
        await AppendDurably(first, A, new HardState(1, 1, 0), Entries(1, 1, 3));
        await CloseAsync(first);
        PostgresMigration[] withSecond =
        [
            .. PostgresMigrations.All,
            new(3, "a later table", s => $"CREATE TABLE {s}.later (id integer PRIMARY KEY)"),
        ];

        var second = Provider(migrations: withSecond);
        var state = (await second.RecoverAsync(Ct)).ToDictionary(r => r.Replica);

        Assert.Equal("1,2,3", await VersionsAsync());
        Assert.Equal(0L, await Server.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.later"));
        Assert.Equal(3, state[A].Entries.Count);
    }

    [Fact]
    public async Task ASchemaNewerThanThisBuildIsRefusedAndStopsTheProvider()
    {
        var (first, _) = await OpenAsync();
        await CloseAsync(first);
        await Server.ExecuteAsync($"INSERT INTO {Schema}.schema_version (version, description) VALUES (3, 'from the future')");

        var p = Provider();
        var e = await Assert.ThrowsAsync<StorageFaultException>(() => p.RecoverAsync(Ct).AsTask());

        Assert.Contains($"schema '{Schema}' is at version 3, newer than the latest this build knows (2)", e.Message);
        Assert.Throws<StorageFaultException>(() => p.Append(A, new HardState(1, 0, 0), []));
    }

    [Fact]
    public async Task AVersionHistoryWithAGapIsRefused()
    {
        var (first, _) = await OpenAsync();
        await CloseAsync(first);
        await Server.ExecuteAsync($"INSERT INTO {Schema}.schema_version (version, description) VALUES (7, 'hand made')");

        var e = await Assert.ThrowsAsync<StorageFaultException>(() => Provider().RecoverAsync(Ct).AsTask());

        Assert.Contains("malformed version history (1, 2, 7)", e.Message);
    }

    [Fact]
    public async Task AForeignVersionTableIsRefused()
    {
        await Server.ExecuteAsync($"CREATE SCHEMA {Schema}; CREATE TABLE {Schema}.schema_version (name text)");

        var e = await Assert.ThrowsAsync<StorageFaultException>(() => Provider().RecoverAsync(Ct).AsTask());

        Assert.Contains($"{Schema}.schema_version is not a MultiRaft version table", e.Message);
    }
}
