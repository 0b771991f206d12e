using MultiRaft.Raft;
using Npgsql;
using static MultiRaft.Storage.Postgres.PostgresValues;

namespace MultiRaft.Storage.Postgres;

/// <summary>
/// <see cref="IStorageProvider"/> over PostgreSQL. Operations are queued in call order and
/// written by one writer loop, a batch per transaction on its own connection (group commit,
/// see <see cref="PostgresWriteQueue"/>): one server WAL flush for every replica in the batch.
///
/// The provider owns its schema (created and migrated at start, see
/// <see cref="PostgresMigrations"/>). Rows are keyed by silo, so several silos can share a
/// schema, and any process opened with the same silo id recovers that silo's replicas.
/// Durability is PostgreSQL's: the writer's connection runs with <c>synchronous_commit = on</c>,
/// so a commit returns only once the server has flushed it. A failed transaction stops the
/// provider: it is never retried, since whether a failed commit took effect cannot be known.
/// </summary>
public sealed class PostgresStorageProvider : IStorageProvider
{
    private readonly string _schema;
    private readonly string _siloId;
    private readonly int _chunkSize;
    private readonly IReadOnlyList<PostgresMigration> _migrations;
    private readonly PostgresSql _sql;
    private readonly PostgresFaults _faults;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresWriteQueue _queue;
    private int _recoverCalls;
    private NpgsqlConnection? _writerConnection;

    /// <summary>Creates a provider; nothing is opened until <see cref="RecoverAsync"/>.</summary>
    public PostgresStorageProvider(PostgresStorageOptions options)
        : this(options, PostgresMigrations.All)
    {
    }

    /// <summary>Creates a provider with another schema history (tests of the migration mechanism).</summary>
    internal PostgresStorageProvider(PostgresStorageOptions options, IReadOnlyList<PostgresMigration> migrations)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _schema = options.Schema;
        _siloId = options.SiloId;
        _chunkSize = options.SnapshotChunkSize;
        _migrations = migrations;
        _sql = new PostgresSql(_schema);

        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= $"multiraft:{_siloId}";
        _faults = new PostgresFaults(builder.ConnectionStringBuilder, _schema, _siloId);
        _dataSource = builder.Build();
        _queue = new PostgresWriteQueue(_faults);
    }

    /// <inheritdoc />
    public string Name => "postgres";

    /// <summary>The schema version this build migrates to.</summary>
    public static int SchemaVersion => PostgresMigrations.Latest;

    /// <summary>Transactions committed by the writer loop (how well appends were grouped).</summary>
    public long CommittedBatches => _queue.CommittedBatches;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RecoveredReplica>> RecoverAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _recoverCalls) != 1)
        {
            throw new InvalidOperationException("RecoverAsync is called once, before any other operation");
        }

        IReadOnlyList<RecoveredReplica> recovered;
        try
        {
            int silo;
            (silo, recovered) = await MigrateAndReadAsync(cancellationToken).ConfigureAwait(false);

            // Set on the connection rather than trusted from the server's configuration: a
            // server or role default of off would acknowledge commits that a crash can lose.
            _writerConnection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await _writerConnection.ExecuteAsync("SET synchronous_commit = on", cancellationToken).ConfigureAwait(false);
            _queue.Start(new PostgresBatchWriter(_writerConnection, _sql, silo, _chunkSize));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var fault = _faults.Wrap("opening the store", e);
            _queue.Stop(fault);
            throw fault;
        }

        return recovered;
    }

    private async Task<(int Silo, IReadOnlyList<RecoveredReplica> Recovered)> MigrateAndReadAsync(CancellationToken ct)
    {
        var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        int silo;
        var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            await PostgresSchema.MigrateAsync(connection, _schema, _migrations, ct).ConfigureAwait(false);
            silo = await connection.ScalarAsync<int>(_sql.SiloKey, ct, _siloId).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }

        return (silo, await PostgresRecovery.ReadAsync(connection, _sql, _schema, silo, ct).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public long Append(ReplicaId replica, HardState? hardState, ReadOnlySpan<Entry> entries)
    {
        if (hardState is { } hs)
        {
            Ordered(hs.Term, nameof(hardState));
            Ordered(hs.Commit, nameof(hardState));
        }

        return Enqueue(new AppendOp(replica, hardState, Copy(entries)));
    }

    /// <inheritdoc />
    public ValueTask WaitDurableAsync(long position, CancellationToken cancellationToken) =>
        _queue.WaitDurableAsync(position, cancellationToken);

    /// <inheritdoc />
    public ValueTask SaveSnapshotAsync(ReplicaId replica, Snapshot snapshot, CancellationToken cancellationToken) =>
        WaitDurableAsync(Enqueue(new SaveSnapshotOp(replica, Checked(snapshot))), cancellationToken);

    /// <inheritdoc />
    public ValueTask InstallSnapshotAsync(ReplicaId replica, Snapshot snapshot, CancellationToken cancellationToken) =>
        WaitDurableAsync(Enqueue(new InstallSnapshotOp(replica, Checked(snapshot))), cancellationToken);

    /// <inheritdoc />
    public ValueTask CompactAsync(ReplicaId replica, ulong index, CancellationToken cancellationToken)
    {
        Ordered(index, nameof(index));
        return WaitDurableAsync(Enqueue(new CompactOp(replica, index)), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DeleteReplicaAsync(ReplicaId replica, CancellationToken cancellationToken) =>
        WaitDurableAsync(Enqueue(new DeleteReplicaOp(replica)), cancellationToken);

    /// <summary>Writes what is queued, stops the writer and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _queue.CloseAsync().ConfigureAwait(false);
        if (_writerConnection is not null)
        {
            await _writerConnection.DisposeAsync().ConfigureAwait(false);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private long Enqueue(PostgresWriteOp op) => _queue.Enqueue(op);

    // The caller may reuse its buffers once Append returns, so the payloads are copied, into one
    // array per call to keep the allocation count flat in the number of entries.
    private static Entry[] Copy(ReadOnlySpan<Entry> entries)
    {
        if (entries.IsEmpty)
        {
            return [];
        }

        var bytes = 0;
        foreach (ref readonly var e in entries)
        {
            Ordered(e.Index, nameof(entries));
            Ordered(e.Term, nameof(entries));
            bytes += e.Data.Length;
        }

        var buffer = new byte[bytes];
        var copy = new Entry[entries.Length];
        var at = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            e.Data.Span.CopyTo(buffer.AsSpan(at));
            copy[i] = new Entry(e.Term, e.Index, e.Type, buffer.AsMemory(at, e.Data.Length));
            at += e.Data.Length;
        }

        return copy;
    }

    private static Snapshot Checked(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Ordered(snapshot.Index, nameof(snapshot));
        Ordered(snapshot.Term, nameof(snapshot));
        return snapshot;
    }
}
