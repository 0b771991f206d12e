namespace MultiRaft.Storage.Postgres;

/// <summary>
/// The statements of the write path and of recovery, for one schema, built once. Parameters are
/// positional; <c>$1</c> is always the silo key. Multi-row statements take one array per column
/// and <c>unnest</c> them, so a batch of any size is one statement of each kind.
/// </summary>
internal sealed class PostgresSql(string s)
{
    public string SiloKey { get; } = $"""
        WITH ins AS (INSERT INTO {s}.silo (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id)
        SELECT id FROM ins UNION ALL SELECT id FROM {s}.silo WHERE name = $1
        """;

    public string UpsertHardStates { get; } = $"""
        INSERT INTO {s}.replica (silo, shard, replica, term, vote, commit_index)
        SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
        ON CONFLICT (silo, shard, replica)
        DO UPDATE SET term = excluded.term, vote = excluded.vote, commit_index = excluded.commit_index
        """;

    public string EnsureReplicas { get; } = $"""
        INSERT INTO {s}.replica (silo, shard, replica)
        SELECT $1, * FROM unnest($2::bigint[], $3::bigint[])
        ON CONFLICT (silo, shard, replica) DO NOTHING
        """;

    public string DeleteTails { get; } = $"""
        DELETE FROM {s}.log_entry e
        USING unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS t(shard, replica, from_idx)
        WHERE e.silo = $1 AND e.shard = t.shard AND e.replica = t.replica AND e.idx >= t.from_idx
        """;

    public string CopyEntries { get; } =
        $"COPY {s}.log_entry (silo, shard, replica, idx, term, entry_type, data) FROM STDIN (FORMAT BINARY)";

    public string EnsureReplica { get; } =
        $"INSERT INTO {s}.replica (silo, shard, replica) VALUES ($1, $2, $3) ON CONFLICT (silo, shard, replica) DO NOTHING";

    // A saved snapshot only replaces an older one (a replica may save the same one twice); an
    // installed one always replaces, as the leader's image is authoritative. RETURNING tells the
    // writer whether the chunks must be rewritten.
    public string SaveSnapshot { get; } = UpsertSnapshot(s, "WHERE cur.idx < excluded.idx");

    public string InstallSnapshot { get; } = UpsertSnapshot(s, "");

    public string DeleteChunks { get; } = $"DELETE FROM {s}.snapshot_chunk WHERE silo = $1 AND shard = $2 AND replica = $3";

    public string CopyChunks { get; } = $"COPY {s}.snapshot_chunk (silo, shard, replica, seq, data) FROM STDIN (FORMAT BINARY)";

    public string DeleteEntries { get; } = $"DELETE FROM {s}.log_entry WHERE silo = $1 AND shard = $2 AND replica = $3";

    public string CompactEntries { get; } =
        $"DELETE FROM {s}.log_entry WHERE silo = $1 AND shard = $2 AND replica = $3 AND idx <= $4";

    public string DeleteSnapshot { get; } = $"DELETE FROM {s}.snapshot WHERE silo = $1 AND shard = $2 AND replica = $3";

    public string DeleteReplica { get; } = $"DELETE FROM {s}.replica WHERE silo = $1 AND shard = $2 AND replica = $3";

    public string RecoverReplicas { get; } =
        $"SELECT shard, replica, term, vote, commit_index FROM {s}.replica WHERE silo = $1";

    public string RecoverSnapshots { get; } = $"""
        SELECT shard, replica, idx, term, voters, voters_outgoing, learners, learners_next, auto_leave, size, chunks
        FROM {s}.snapshot WHERE silo = $1
        """;

    public string RecoverChunks { get; } =
        $"SELECT shard, replica, seq, data FROM {s}.snapshot_chunk WHERE silo = $1 ORDER BY shard, replica, seq";

    // Entries a snapshot covers but compaction has not dropped yet are not part of the log.
    public string RecoverEntries { get; } = $"""
        SELECT e.shard, e.replica, e.idx, e.term, e.entry_type, e.data
        FROM {s}.log_entry e
        LEFT JOIN {s}.snapshot n ON n.silo = e.silo AND n.shard = e.shard AND n.replica = e.replica
        WHERE e.silo = $1 AND e.idx > coalesce(n.idx, 0)
        ORDER BY e.shard, e.replica, e.idx
        """;

    private static string UpsertSnapshot(string s, string condition) => $"""
        INSERT INTO {s}.snapshot AS cur
            (silo, shard, replica, idx, term, voters, voters_outgoing, learners, learners_next, auto_leave, size, chunks)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (silo, shard, replica) DO UPDATE SET
            idx = excluded.idx, term = excluded.term, voters = excluded.voters,
            voters_outgoing = excluded.voters_outgoing, learners = excluded.learners,
            learners_next = excluded.learners_next, auto_leave = excluded.auto_leave,
            size = excluded.size, chunks = excluded.chunks
        {condition}
        RETURNING 1
        """;
}
