using MultiRaft.Storage.Postgres.Tests;
using Npgsql;

[assembly: AssemblyFixture(typeof(PostgresServerFixture))]

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>
/// The PostgreSQL server every test of this assembly uses: the one named by
/// <c>MULTIRAFT_PG</c> (a connection string) when set, otherwise a throwaway server started
/// for this run. When neither is possible, set-up throws and every test fails with the reason;
/// PostgreSQL tests never skip silently.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string Variable = "MULTIRAFT_PG";

    private ThrowawayPostgres? _server;
    private NpgsqlDataSource? _admin;
    private string? _connectionString;

    /// <summary>A connection string to the server's database where tests make their schemas.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("the fixture is not started");

    /// <summary>Connections for test set-up and inspection (not the provider's).</summary>
    public NpgsqlDataSource Admin => _admin ?? throw new InvalidOperationException("the fixture is not started");

    public async ValueTask InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _connectionString = configured;
        }
        else
        {
            var bin = ThrowawayPostgres.FindBinaries() ?? throw new InvalidOperationException(
                $"PostgreSQL tests need a server: set {Variable} to a connection string, or install Debian's " +
                "postgresql package (apt-get install postgresql) so that a throwaway server can be started " +
                "from /usr/lib/postgresql/<version>/bin");
            _server = await ThrowawayPostgres.StartAsync(bin);
            _connectionString = _server.ConnectionString;
        }

        _admin = NpgsqlDataSource.Create(_connectionString);
        try
        {
            await using var cmd = _admin.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            var source = _server is null ? $"{Variable}" : $"the throwaway server on port {_server.Port}";
            throw new InvalidOperationException($"PostgreSQL from {source} cannot be reached: {e.Message}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        // Pooled connections of providers tests left open would otherwise hold the server up.
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Options for a provider in <paramref name="schema"/> as <paramref name="silo"/>.</summary>
    public PostgresStorageOptions Options(string schema, string silo = "silo-1", int? chunkSize = null) => new()
    {
        ConnectionString = ConnectionString,
        Schema = schema,
        SiloId = silo,
        SnapshotChunkSize = chunkSize ?? PostgresStorageOptions.DefaultSnapshotChunkSize,
    };

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchema(string prefix) => $"{prefix}_{Guid.NewGuid():N}";

    public async Task DropSchemaAsync(string schema)
    {
        await using var cmd = Admin.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query on the admin connection and returns its first column.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var cmd = Admin.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var cmd = Admin.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }
}
