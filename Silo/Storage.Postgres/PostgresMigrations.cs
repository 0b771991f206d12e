namespace MultiRaft.Storage.Postgres;

/// <summary>
/// The schema's history, oldest first. To change the schema, append a migration with the next
/// version; a database at an older version is brought forward at start, one at a newer version
/// is refused (a newer build wrote it).
/// </summary>
internal static class PostgresMigrations
{
    public static readonly IReadOnlyList<PostgresMigration> All =
    [
        new(1, "silos, replicas with hard state, log entries, chunked snapshots", Initial),
        new(2, OrleansClusteringMigration.Description, OrleansClusteringMigration.Sql),
    ];

    /// <summary>The version this build writes.</summary>
    public static int Latest => All[^1].Version;

    // Every row is keyed by a small silo key rather than the silo's name, to keep the log's
    // primary key narrow. Ids (shard, replica) are stored as bigint bit for bit, so ids above
    // 2^63 read back negative in psql but round-trip exactly; indexes and terms must stay below
    // 2^63 because their order matters. log_entry and the snapshot tables carry no foreign key
    // to replica: the provider writes and deletes all of a replica's rows in one transaction,
    // and a per-row key check would tax every appended entry.
    private static string Initial(string s) => $"""
        CREATE TABLE {s}.silo (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL UNIQUE
        );
        CREATE TABLE {s}.replica (
            silo integer NOT NULL REFERENCES {s}.silo (id),
            shard bigint NOT NULL,
            replica bigint NOT NULL,
            term bigint NOT NULL DEFAULT 0,
            vote bigint NOT NULL DEFAULT 0,
            commit_index bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (silo, shard, replica)
        );
        CREATE TABLE {s}.log_entry (
            silo integer NOT NULL,
            shard bigint NOT NULL,
            replica bigint NOT NULL,
            idx bigint NOT NULL,
            term bigint NOT NULL,
            entry_type smallint NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (silo, shard, replica, idx)
        );
        CREATE TABLE {s}.snapshot (
            silo integer NOT NULL,
            shard bigint NOT NULL,
            replica bigint NOT NULL,
            idx bigint NOT NULL,
            term bigint NOT NULL,
            voters bigint[] NOT NULL,
            voters_outgoing bigint[] NOT NULL,
            learners bigint[] NOT NULL,
            learners_next bigint[] NOT NULL,
            auto_leave boolean NOT NULL,
            size bigint NOT NULL,
            chunks integer NOT NULL,
            PRIMARY KEY (silo, shard, replica)
        );
        CREATE TABLE {s}.snapshot_chunk (
            silo integer NOT NULL,
            shard bigint NOT NULL,
            replica bigint NOT NULL,
            seq integer NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (silo, shard, replica, seq)
        );
        """;
}
