using Npgsql;

namespace MultiRaft.Storage.Postgres;

/// <summary>
/// Brings a schema to the latest version at start, under an advisory lock so that silos
/// starting together on one database migrate it once. Runs in the caller's transaction, which
/// holds the lock until it ends: whatever else the caller does there (registering its silo)
/// is serialized with the other silos' start too.
/// </summary>
internal static class PostgresSchema
{
    private const string UndefinedColumn = "42703";

    /// <summary>Creates or migrates <paramref name="schema"/>; returns the version it is at.</summary>
    /// <exception cref="StorageFaultException">The schema is newer than this build, or its version table is not ours.</exception>
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, string schema,
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
