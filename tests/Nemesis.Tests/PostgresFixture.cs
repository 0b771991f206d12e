using MultiRaft.Nemesis.Tests;
using Npgsql;

[assembly: AssemblyFixture(typeof(PostgresFixture))]

namespace MultiRaft.Nemesis.Tests;

/// <summary>
/// One PostgreSQL server for every postgres-clustering run of this assembly (each run makes and
/// drops its own schema): the one <c>MULTIRAFT_PG</c> names, else a throwaway server, started
/// on first use so that runs on development clustering need none. When neither is possible the
/// postgres tests fail with the reason; they never skip.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgresServer? _server;

    /// <summary>The server's connection string (from the root namespace), starting it on first use.</summary>
    public async Task<string> ConnectionStringAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _server ??= await PostgresServer.StartAsync();
            return _server.ConnectionString;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Names of the schemas that start with <paramref name="prefix"/>.</summary>
    public async Task<List<string>> SchemasAsync(string prefix)
    {
        await using var connection = await OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1) ORDER BY nspname", connection);
        cmd.Parameters.AddWithValue(prefix);
        await using var reader = await cmd.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>Runs one statement.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(await ConnectionStringAsync()) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _gate.Dispose();
    }
}
