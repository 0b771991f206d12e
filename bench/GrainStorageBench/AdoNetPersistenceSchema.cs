using Npgsql;

namespace MultiRaft.GrainStorage.Bench;

/// <summary>
/// The table and statements Orleans' ADO.NET grain storage (invariant "Npgsql") needs, written for
/// this benchmark from the provider's documented contract: at start it loads its statements with
/// <c>SELECT QueryKey, QueryText FROM OrleansQuery</c> (unqualified: the connection's search path
/// is the schema) under the keys <c>ReadFromStorageKey</c>, <c>WriteToStorageKey</c> and
/// <c>ClearStorageKey</c>, and calls them with the parameters <c>@GrainIdHash</c>,
/// <c>@GrainIdN0</c>, <c>@GrainIdN1</c>, <c>@GrainTypeHash</c>, <c>@GrainTypeString</c>,
/// <c>@GrainIdExtensionString</c>, <c>@ServiceId</c> (and <c>@GrainStateVersion</c>,
/// <c>@PayloadBinary</c> to write). A read answers <c>PayloadBinary</c> and <c>Version</c>; a write
/// or clear answers <c>NewGrainStateVersion</c>, which is the new version when it applied and
/// null when the version it was given (null: no row) did not hold. A clear keeps the row with no
/// payload and a new version, as the provider expects by default.
/// </summary>
internal static class AdoNetPersistenceSchema
{
    public static async Task MigrateAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Sql(schema), connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// <paramref name="connectionString"/> with its search path set to <paramref name="schema"/>
    /// alone, for one of <paramref name="silos"/> silos: their pools together stay under the
    /// server's default 100 connections (Npgsql's own default, 100 per pool, would not).
    /// </summary>
    public static string ConnectionString(string connectionString, string schema, int silos) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema, MaxPoolSize = 90 / silos }.ConnectionString;

    // The grain is named by its service, type and key (a null string key is stored as ''); the
    // hashes only narrow the index.
    private const string Keys = """
        service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_type = @GrainTypeString
          AND grain_id_hash = @GrainIdHash AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
          AND grain_id_extension = coalesce(@GrainIdExtensionString::text, '')
        """;

    private static string Sql(string s) => $$"""
        CREATE SCHEMA {{s}};
        CREATE TABLE {{s}}.orleansquery (
            querykey text PRIMARY KEY,
            querytext text NOT NULL
        );
        CREATE TABLE {{s}}.orleans_grain_state (
            service_id text NOT NULL,
            grain_type_hash integer NOT NULL,
            grain_type text NOT NULL,
            grain_id_hash integer NOT NULL,
            grain_id_n0 bigint NOT NULL,
            grain_id_n1 bigint NOT NULL,
            grain_id_extension text NOT NULL,
            payload bytea,
            version integer NOT NULL,
            modified_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_extension)
        );
        INSERT INTO {{s}}.orleansquery (querykey, querytext) VALUES
        ('ReadFromStorageKey', $q$
            SELECT payload AS "PayloadBinary", version AS "Version"
            FROM {{s}}.orleans_grain_state WHERE {{Keys}}
        $q$),
        ('WriteToStorageKey', $q$
            WITH updated AS (
                UPDATE {{s}}.orleans_grain_state
                SET payload = @PayloadBinary, version = version + 1, modified_at = now()
                WHERE @GrainStateVersion::integer IS NOT NULL AND version = @GrainStateVersion::integer AND {{Keys}}
                RETURNING version),
            inserted AS (
                INSERT INTO {{s}}.orleans_grain_state (service_id, grain_type_hash, grain_type, grain_id_hash,
                    grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
                SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
                    coalesce(@GrainIdExtensionString::text, ''), @PayloadBinary, 1
                WHERE @GrainStateVersion::integer IS NULL
                ON CONFLICT DO NOTHING
                RETURNING version)
            SELECT version AS "NewGrainStateVersion" FROM updated
            UNION ALL SELECT version FROM inserted
        $q$),
        ('ClearStorageKey', $q$
            UPDATE {{s}}.orleans_grain_state
            SET payload = NULL, version = version + 1, modified_at = now()
            WHERE version = @GrainStateVersion::integer AND {{Keys}}
            RETURNING version AS "NewGrainStateVersion"
        $q$);
        """;
}
