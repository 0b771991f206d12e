using MultiRaft.Raft;
using Npgsql;
using static MultiRaft.Storage.Postgres.PostgresValues;

namespace MultiRaft.Storage.Postgres;

/// <summary>
/// Reads back everything a silo holds, in one repeatable-read transaction so that the four
/// tables are seen at one instant, and checks what the writer guarantees: every row belongs to
/// a known replica, chunks are complete, and the log after a snapshot has no holes.
/// </summary>
internal static class PostgresRecovery
{
    public static async Task<IReadOnlyList<RecoveredReplica>> ReadAsync(NpgsqlConnection connection, PostgresSql sql,
        string schema, int silo, CancellationToken ct)
    {
        var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct)
            .ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var replicas = await ReadReplicasAsync(connection, sql, silo, ct).ConfigureAwait(false);
        var snapshots = await ReadSnapshotsAsync(connection, sql, schema, silo, replicas, ct).ConfigureAwait(false);
        var entries = await ReadEntriesAsync(connection, sql, schema, silo, replicas, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);

        var result = new List<RecoveredReplica>(replicas.Count);
        foreach (var (id, hs) in replicas.OrderBy(kv => kv.Key))
        {
            var snap = snapshots.GetValueOrDefault(id);
            var log = entries.GetValueOrDefault(id) ?? [];
            CheckContiguous(schema, id, snap, log);
            result.Add(new RecoveredReplica(id, hs, snap, log));
        }

        return result;
    }

    private static async Task<Dictionary<ReplicaId, HardState>> ReadReplicasAsync(NpgsqlConnection connection,
        PostgresSql sql, int silo, CancellationToken ct)
    {
        var replicas = new Dictionary<ReplicaId, HardState>();
        var cmd = PostgresCommands.Command(connection, sql.RecoverReplicas, silo);
        await using var cmdScope = cmd.ConfigureAwait(false);
        var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var id = new ReplicaId(Id(reader.GetInt64(0)), Id(reader.GetInt64(1)));
            replicas[id] = new HardState((ulong)reader.GetInt64(2), Id(reader.GetInt64(3)), (ulong)reader.GetInt64(4));
        }

        return replicas;
    }

    private static async Task<Dictionary<ReplicaId, Snapshot>> ReadSnapshotsAsync(NpgsqlConnection connection,
        PostgresSql sql, string schema, int silo, Dictionary<ReplicaId, HardState> replicas, CancellationToken ct)
    {
        var heads = new Dictionary<ReplicaId, (ulong Index, ulong Term, ConfState Conf, byte[] Data, int Chunks)>();
        var headCmd = PostgresCommands.Command(connection, sql.RecoverSnapshots, silo);
        await using (headCmd.ConfigureAwait(false))
        {
            var reader = await headCmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var id = Known(schema, "snapshot", reader.GetInt64(0), reader.GetInt64(1), replicas);
                var conf = new ConfState(Ids(reader.GetFieldValue<long[]>(4)), Ids(reader.GetFieldValue<long[]>(5)),
                    Ids(reader.GetFieldValue<long[]>(6)), Ids(reader.GetFieldValue<long[]>(7)), reader.GetBoolean(8));
                heads[id] = ((ulong)reader.GetInt64(2), (ulong)reader.GetInt64(3), conf, new byte[reader.GetInt64(9)], reader.GetInt32(10));
            }
        }

        var filled = new Dictionary<ReplicaId, (int Chunks, int Bytes)>();
        var chunkCmd = PostgresCommands.Command(connection, sql.RecoverChunks, silo);
        await using (chunkCmd.ConfigureAwait(false))
        {
            var reader = await chunkCmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var id = Known(schema, "snapshot_chunk", reader.GetInt64(0), reader.GetInt64(1), replicas);
                var seq = reader.GetInt32(2);
                var (chunks, bytes) = filled.GetValueOrDefault(id);
                if (!heads.TryGetValue(id, out var head) || seq != chunks)
                {
                    throw Corrupt(schema, "snapshot_chunk", id, $"chunk {seq} where chunk {chunks} was expected");
                }

                var data = reader.GetFieldValue<byte[]>(3);
                if (bytes + data.Length > head.Data.Length)
                {
                    throw Corrupt(schema, "snapshot_chunk", id, $"chunks exceed the snapshot's {head.Data.Length} bytes");
                }

                data.CopyTo(head.Data, bytes);
                filled[id] = (chunks + 1, bytes + data.Length);
            }
        }

        var snapshots = new Dictionary<ReplicaId, Snapshot>();
        foreach (var (id, h) in heads)
        {
            var (chunks, bytes) = filled.GetValueOrDefault(id);
            if (chunks != h.Chunks || bytes != h.Data.Length)
            {
                throw Corrupt(schema, "snapshot_chunk", id,
                    $"{chunks} chunks of {bytes} bytes where the snapshot has {h.Chunks} chunks of {h.Data.Length} bytes");
            }

            snapshots[id] = new Snapshot(h.Index, h.Term, h.Conf, h.Data);
        }

        return snapshots;
    }

    private static async Task<Dictionary<ReplicaId, List<Entry>>> ReadEntriesAsync(NpgsqlConnection connection,
        PostgresSql sql, string schema, int silo, Dictionary<ReplicaId, HardState> replicas, CancellationToken ct)
    {
        var entries = new Dictionary<ReplicaId, List<Entry>>();
        var cmd = PostgresCommands.Command(connection, sql.RecoverEntries, silo);
        await using var cmdScope = cmd.ConfigureAwait(false);
        var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        List<Entry>? current = null;
        var currentId = default(ReplicaId);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var (shard, replica) = (reader.GetInt64(0), reader.GetInt64(1));
            if (current is null || currentId != new ReplicaId(Id(shard), Id(replica)))
            {
                currentId = Known(schema, "log_entry", shard, replica, replicas);
                current = [];
                entries.Add(currentId, current);
            }

            // Sequential access: columns are read strictly left to right.
            var index = (ulong)reader.GetInt64(2);
            var term = (ulong)reader.GetInt64(3);
            var type = (EntryType)reader.GetInt16(4);
            current.Add(new Entry(term, index, type, reader.GetFieldValue<byte[]>(5)));
        }

        return entries;
    }

    private static void CheckContiguous(string schema, ReplicaId id, Snapshot? snap, List<Entry> log)
    {
        var expected = snap is null ? (log.Count > 0 ? log[0].Index : 0) : snap.Index + 1;
        foreach (var e in log)
        {
            if (e.Index != expected)
            {
                throw Corrupt(schema, "log_entry", id, $"entry {e.Index} where entry {expected} was expected");
            }

            expected++;
        }
    }

    private static ReplicaId Known(string schema, string table, long shard, long replica, Dictionary<ReplicaId, HardState> replicas)
    {
        var id = new ReplicaId(Id(shard), Id(replica));
        return replicas.ContainsKey(id) ? id : throw Corrupt(schema, table, id, "rows for a replica with no replica row");
    }

    private static StorageCorruptionException Corrupt(string schema, string table, ReplicaId id, string reason) =>
        new($"corrupt PostgreSQL storage in {schema}.{table} for {id}: {reason}");
}
