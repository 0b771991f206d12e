using MultiRaft.Storage.Postgres.Tests;
using Npgsql;

namespace MultiRaft.Nemesis;

/// <summary>
/// The PostgreSQL server of <see cref="ClusteringMode.Postgres"/> runs: the one named by
/// <c>MULTIRAFT_PG</c> (an Npgsql connection string) when set, otherwise a throwaway server
/// (Debian's <c>postgresql</c> binaries, a fresh cluster in a temporary directory on a free
/// loopback port, trust authentication; the storage tests' <c>ThrowawayPostgres</c>) that
/// disposing stops and deletes. The connection string reaches it from the root namespace; the
/// harness relays it into the silos' namespaces (<see cref="ClusterHarness"/>).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The environment variable naming an existing server.</summary>
    public const string Variable = "MULTIRAFT_PG";

    private readonly ThrowawayPostgres? _throwaway;

    private PostgresServer(string connectionString, string source, ThrowawayPostgres? throwaway)
    {
        ConnectionString = connectionString;
        Source = source;
        _throwaway = throwaway;
    }

    /// <summary>An Npgsql connection string to the server's database, from the root namespace.</summary>
    public string ConnectionString { get; }

    /// <summary>Where the server comes from, for the run's output.</summary>
    public string Source { get; }

    /// <summary>
    /// Uses <c>MULTIRAFT_PG</c> or starts a throwaway server, and checks that it answers; throws
    /// with the reason when neither works (PostgreSQL runs never fall back silently).
    /// </summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        PostgresServer server;
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured && !string.IsNullOrWhiteSpace(configured))
        {
            server = new PostgresServer(configured, $"{Variable}", null);
        }
        else
        {
            var bin = ThrowawayPostgres.FindBinaries() ?? throw new InvalidOperationException(
                $"postgres clustering needs a PostgreSQL server: set {Variable} to a connection string, or install Debian's "
                + "postgresql package (apt-get install postgresql) so that a throwaway server can be started from "
                + "/usr/lib/postgresql/<version>/bin");
            var throwaway = await ThrowawayPostgres.StartAsync(bin);
            server = new PostgresServer(throwaway.ConnectionString, $"a throwaway server on 127.0.0.1:{throwaway.Port}", throwaway);
        }

        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand("SELECT 1", connection);
            await cmd.ExecuteScalarAsync(cancellationToken);
            return server;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"PostgreSQL from {server.Source} cannot be reached: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_throwaway is not null)
        {
            // Connections a harness left in a pool would otherwise hold the server up.
            NpgsqlConnection.ClearAllPools();
            await _throwaway.DisposeAsync();
        }
    }
}
