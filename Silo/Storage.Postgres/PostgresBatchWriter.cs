using MultiRaft.Raft;
using Npgsql;
using NpgsqlTypes;
using static MultiRaft.Storage.Postgres.PostgresValues;

namespace MultiRaft.Storage.Postgres;

/// <summary>
/// Writes one batch of operations in one transaction on the writer's own connection: runs of
/// appends are folded per replica and written as one multi-row upsert, one tail deletion and
/// one binary COPY; snapshot, compaction and deletion operations are written where they stand,
/// so the batch has the effect of replaying its operations in order.
/// </summary>
internal sealed class PostgresBatchWriter(NpgsqlConnection connection, PostgresSql sql, int silo, int chunkSize)
{
    private readonly PostgresAppendCoalescer _appends = new();

    public async Task WriteAsync(IReadOnlyList<PostgresWriteOp> ops, CancellationToken ct)
    {
        _appends.Clear();
        var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        foreach (var op in ops)
        {
            if (op is AppendOp append)
            {
                _appends.Add(append);
                continue;
            }

            await FlushAppendsAsync(ct).ConfigureAwait(false);
            await WriteOpAsync(op, ct).ConfigureAwait(false);
        }

        await FlushAppendsAsync(ct).ConfigureAwait(false);

        // With synchronous_commit on (set on this connection), the commit returns once the
        // server has flushed its WAL: this is the batch's one sync.
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    private async Task FlushAppendsAsync(CancellationToken ct)
    {
        if (_appends.IsEmpty)
        {
            return;
        }

        var batch = HardStatesAndTails();
        await using (batch.ConfigureAwait(false))
        {
            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        if (_appends.EntryCount > 0)
        {
            await CopyEntriesAsync(ct).ConfigureAwait(false);
        }

        _appends.Clear();
    }

    private NpgsqlBatch HardStatesAndTails()
    {
        List<long> hsShard = [], hsReplica = [], term = [], vote = [], commit = [];
        List<long> shard = [], replica = [];
        List<long> tailShard = [], tailReplica = [], tailFrom = [];
        foreach (var c in _appends.Changes)
        {
            var (s, r) = (Id(c.Replica.Shard), Id(c.Replica.Replica));
            if (c.HardState is { } hs)
            {
                hsShard.Add(s);
                hsReplica.Add(r);
                term.Add((long)hs.Term);
                vote.Add(Id(hs.Vote));
                commit.Add((long)hs.Commit);
            }
            else
            {
                shard.Add(s);
                replica.Add(r);
            }

            if (c.DeleteFrom is { } from)
            {
                tailShard.Add(s);
                tailReplica.Add(r);
                tailFrom.Add((long)from);
            }
        }

        var batch = new NpgsqlBatch(connection);
        if (hsShard.Count > 0)
        {
            batch.BatchCommands.Add(Command(sql.UpsertHardStates, silo, hsShard.ToArray(), hsReplica.ToArray(),
                term.ToArray(), vote.ToArray(), commit.ToArray()));
        }

        if (shard.Count > 0)
        {
            batch.BatchCommands.Add(Command(sql.EnsureReplicas, silo, shard.ToArray(), replica.ToArray()));
        }

        if (tailShard.Count > 0)
        {
            batch.BatchCommands.Add(Command(sql.DeleteTails, silo, tailShard.ToArray(), tailReplica.ToArray(), tailFrom.ToArray()));
        }

        return batch;
    }

    private async Task CopyEntriesAsync(CancellationToken ct)
    {
        var copy = await connection.BeginBinaryImportAsync(sql.CopyEntries, ct).ConfigureAwait(false);
        await using var copyScope = copy.ConfigureAwait(false);
        foreach (var c in _appends.Changes)
        {
            var (s, r) = (Id(c.Replica.Shard), Id(c.Replica.Replica));
            foreach (var e in c.Entries)
            {
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(silo, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(s, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await copy.WriteAsync(r, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await copy.WriteAsync((long)e.Index, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await copy.WriteAsync((long)e.Term, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await copy.WriteAsync((short)e.Type, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
                await copy.WriteAsync(e.Data, NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
            }
        }

        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    private Task WriteOpAsync(PostgresWriteOp op, CancellationToken ct) => op switch
    {
        SaveSnapshotOp s => WriteSnapshotAsync(s.Replica, s.Snapshot, install: false, ct),
        InstallSnapshotOp i => WriteSnapshotAsync(i.Replica, i.Snapshot, install: true, ct),
        CompactOp c => Exec(sql.CompactEntries, ct, silo, Id(c.Replica.Shard), Id(c.Replica.Replica), (long)c.Index),
        DeleteReplicaOp d => DeleteReplicaAsync(d.Replica, ct),
        _ => throw new InvalidOperationException($"unknown operation {op}"),
    };

    private async Task WriteSnapshotAsync(ReplicaId replica, Snapshot snapshot, bool install, CancellationToken ct)
    {
        var (s, r) = (Id(replica.Shard), Id(replica.Replica));
        var chunks = (snapshot.Data.Length + chunkSize - 1) / chunkSize;
        var cs = snapshot.ConfState;
        await Exec(sql.EnsureReplica, ct, silo, s, r).ConfigureAwait(false);
        var replaced = await connection.ScalarAsync<object?>(install ? sql.InstallSnapshot : sql.SaveSnapshot, ct,
            silo, s, r, (long)snapshot.Index, (long)snapshot.Term, Ids(cs.Voters), Ids(cs.VotersOutgoing),
            Ids(cs.Learners), Ids(cs.LearnersNext), cs.AutoLeave, (long)snapshot.Data.Length, chunks).ConfigureAwait(false);
        if (replaced is null)
        {
            return; // an older or equal snapshot: the stored one stands
        }

        if (install)
        {
            await Exec(sql.DeleteEntries, ct, silo, s, r).ConfigureAwait(false);
        }

        await Exec(sql.DeleteChunks, ct, silo, s, r).ConfigureAwait(false);
        if (chunks == 0)
        {
            return;
        }

        var copy = await connection.BeginBinaryImportAsync(sql.CopyChunks, ct).ConfigureAwait(false);
        await using var copyScope = copy.ConfigureAwait(false);
        for (var i = 0; i < chunks; i++)
        {
            var start = i * chunkSize;
            await copy.StartRowAsync(ct).ConfigureAwait(false);
            await copy.WriteAsync(silo, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
            await copy.WriteAsync(s, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await copy.WriteAsync(r, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await copy.WriteAsync(i, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
            await copy.WriteAsync(snapshot.Data.Slice(start, Math.Min(chunkSize, snapshot.Data.Length - start)),
                NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
        }

        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    private async Task DeleteReplicaAsync(ReplicaId replica, CancellationToken ct)
    {
        var (s, r) = (Id(replica.Shard), Id(replica.Replica));
        var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command(sql.DeleteEntries, silo, s, r),
                Command(sql.DeleteChunks, silo, s, r),
                Command(sql.DeleteSnapshot, silo, s, r),
                Command(sql.DeleteReplica, silo, s, r),
            },
        };
        await using var batchScope = batch.ConfigureAwait(false);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private Task<int> Exec(string text, CancellationToken ct, params object[] args) => connection.ExecuteAsync(text, ct, args);

    private static NpgsqlBatchCommand Command(string text, params object[] args)
    {
        var cmd = new NpgsqlBatchCommand(text);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }

        return cmd;
    }
}
