using Npgsql;

namespace MultiRaft.Storage.Postgres;

/// <summary>
/// Brings a schema to the latest version at start, under an advisory lock so that silos
/// starting together on one database migrate it once. The storage provider runs it in its own
/// start transaction, which holds the lock until it ends: whatever else it does there
/// (registering its silo) is serialized with the other silos' start too. Silos that need the
/// schema before that (Orleans clustering) call the public entry point.
/// </summary>
public static class PostgresSchema
{
    private const string UndefinedColumn = "42703";

    /// <summary>
    /// Creates or migrates <paramref name="schema"/> to the latest version this build knows, in
    /// a transaction of its own; returns that version. A silo calls it before its host starts
    /// when PostgreSQL holds anything of the cluster's: the Raft storage (which also migrates
    /// by itself when opened) or Orleans' clustering tables (which Orleans never creates; see
    /// <see cref="PostgresClustering"/>). Safe to call from every silo at once, and again.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string (host, port, database, user, password).</param>
    /// <param name="schema">A lower-case identifier (<c>[a-z_][a-z0-9_]*</c>, at most 63 characters); created if missing.</param>
    /// <param name="cancellationToken">Cancels the migration (its transaction is rolled back).</param>
    /// <exception cref="ArgumentException">The connection string is empty or the schema name is not a plain identifier.</exception>
    /// <exception cref="StorageFaultException">The schema is newer than this build, or its version table is not ours.</exception>
    public static async Task<int> MigrateAsync(string connectionString, string schema, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        CheckName(schema);
        var connection = new NpgsqlConnection(connectionString);
        await using var connectionScope = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var version = await MigrateAsync(connection, schema, PostgresMigrations.All, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return version;
    }

    // The name is spliced into SQL text (identifiers cannot be parameters): plain identifiers only.
    internal static void CheckName(string schema)
    {
        if (schema is null || !PostgresStorageOptions.SchemaName().IsMatch(schema))
        {
            throw new ArgumentException(
                $"schema '{schema}' must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)", nameof(schema));
        }
    }

    /// <summary>Creates or migrates <paramref name="schema"/> in the caller's transaction; returns the version it is at.</summary>
    /// <exception cref="StorageFaultException">The schema is newer than this build, or its version table is not ours.</exception>
    internal static async Task<int> MigrateAsync(NpgsqlConnection connection, string schema,
        IReadOnlyList<PostgresMigration> migrations, CancellationToken ct)
    {
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"migration {migrations[i].Version} is listed at position {i + 1}");
            }
        }

        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext($1))", ct, "multiraft.schema:" + schema)
            .ConfigureAwait(false);
        await connection.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {schema}", ct).ConfigureAwait(false);
        await connection.ExecuteAsync($"""
            CREATE TABLE IF NOT EXISTS {schema}.schema_version (
                version integer PRIMARY KEY,
                description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, ct).ConfigureAwait(false);

        var current = await CurrentVersionAsync(connection, schema, ct).ConfigureAwait(false);
        var latest = migrations.Count;
        if (current > latest)
        {
            throw new StorageFaultException(
                $"PostgreSQL schema '{schema}' is at version {current}, newer than the latest this build knows ({latest}); " +
                "run a build that knows it, or use another schema");
        }

        foreach (var m in migrations.Skip(current))
        {
            await connection.ExecuteAsync(m.Sql(schema), ct).ConfigureAwait(false);
            await connection.ExecuteAsync($"INSERT INTO {schema}.schema_version (version, description) VALUES ($1, $2)",
                ct, m.Version, m.Description).ConfigureAwait(false);
        }

        return latest;
    }

    // The applied versions must be exactly 1..n: anything else means someone else's table, or
    // hand edits, and migrating on top of either could destroy data.
    private static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var versions = new List<int>();
        try
        {
            var cmd = PostgresCommands.Command(connection, $"SELECT version FROM {schema}.schema_version ORDER BY version");
            await using var cmdScope = cmd.ConfigureAwait(false);
            var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                versions.Add(reader.GetInt32(0));
            }
        }
        catch (PostgresException e) when (e.SqlState == UndefinedColumn)
        {
            throw new StorageFaultException($"PostgreSQL table {schema}.schema_version is not a MultiRaft version table: {e.MessageText}", e);
        }

        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i] != i + 1)
            {
                throw new StorageFaultException(
                    $"PostgreSQL schema '{schema}' has a malformed version history ({string.Join(", ", versions)}); " +
                    "expected versions 1..n with none missing");
            }
        }

        return versions.Count;
    }
}
