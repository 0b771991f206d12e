using MultiRaft.Raft;

namespace MultiRaft.Storage.FileWal;

/// <summary>Snapshots, compaction and deletion: each a file step (if any), then a record, then a wait.</summary>
public sealed partial class FileWalProvider
{
    /// <inheritdoc />
    public async ValueTask SaveSnapshotAsync(ReplicaId replica, Snapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfUnusable();
            var log = Known(replica);
            if (snapshot.Index <= (log.Snapshot?.Index ?? 0))
            {
                return; // as MemoryStorage.CreateSnapshot: an older or equal snapshot changes nothing
            }

            if (snapshot.Index > log.LastIndex || snapshot.Index < log.Base)
            {
                throw new ArgumentException($"{replica}: snapshot index {snapshot.Index} is outside the held entries [{log.Base}, {log.LastIndex}]");
            }
        }

        await LogSnapshotAsync(replica, snapshot, WalRecordType.SnapshotSaved, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask InstallSnapshotAsync(ReplicaId replica, Snapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfUnusable();
            if (_replicas.TryGetValue(replica, out var log) && snapshot.Index < (log.Snapshot?.Index ?? 0))
            {
                throw new ArgumentException($"{replica}: snapshot {snapshot.Index} is older than the held one ({log.Snapshot!.Index})");
            }
        }

        await LogSnapshotAsync(replica, snapshot, WalRecordType.SnapshotInstalled, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask CompactAsync(ReplicaId replica, ulong index, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long position;
        lock (_gate)
        {
            ThrowIfUnusable();
            var log = Known(replica);
            if (index <= log.Base)
            {
                return;
            }

            if (index > log.LastIndex || index > (log.Snapshot?.Index ?? 0))
            {
                throw new ArgumentException(
                    $"{replica}: compacting to {index} needs entries and a snapshot covering it (last {log.LastIndex}, snapshot {log.Snapshot?.Index ?? 0})");
            }

            position = Enqueue((replica, index), static (buffer, s) => WalRecords.WriteCompacted(buffer, s.replica, s.index));
            log.Compacted(index);
        }

        await WaitDurableAsync(position, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DeleteReplicaAsync(ReplicaId replica, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long position;
        SnapshotPointer? snapshot;
        lock (_gate)
        {
            ThrowIfUnusable();
            if (!_replicas.Remove(replica, out var log))
            {
                return;
            }

            snapshot = log.Snapshot;
            position = Enqueue(replica, static (buffer, r) => WalRecords.WriteDeleted(buffer, r));
        }

        await WaitDurableAsync(position, cancellationToken).ConfigureAwait(false);
        DeleteSuperseded(snapshot);
    }

    /// <summary>
    /// Writes the snapshot's file durably, then logs the pointer to it; once that is durable the
    /// replica's previous snapshot file is no longer named by the log and goes.
    /// </summary>
    private async ValueTask LogSnapshotAsync(ReplicaId replica, Snapshot snapshot, WalRecordType type, CancellationToken cancellationToken)
    {
        var pointer = new SnapshotPointer(snapshot.Index, snapshot.Term, SnapshotFiles.NewName(replica, snapshot.Index));
        try
        {
            SnapshotFiles.WriteDurably(_device, pointer.File, replica, snapshot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fail(e);
        }

        long position;
        SnapshotPointer? previous;
        lock (_gate)
        {
            ThrowIfUnusable();
            if (!_replicas.TryGetValue(replica, out var log))
            {
                log = new ReplicaLog(_lastPosition + 1);
                _replicas.Add(replica, log);
            }

            previous = log.Snapshot;
            position = Enqueue((type, replica, pointer), static (buffer, s) => WalRecords.WriteSnapshot(buffer, s.type, s.replica, s.pointer));
            if (type == WalRecordType.SnapshotInstalled)
            {
                log.SnapshotInstalled(position, pointer);
            }
            else
            {
                log.SnapshotSaved(position, pointer);
            }
        }

        await WaitDurableAsync(position, cancellationToken).ConfigureAwait(false);
        DeleteSuperseded(previous);
    }

    /// <summary>
    /// Deletes a snapshot file the log no longer names. Not a durability step: if the deletion
    /// is lost, the next recovery deletes the file as unreferenced.
    /// </summary>
    private void DeleteSuperseded(SnapshotPointer? snapshot)
    {
        if (snapshot is null)
        {
            return;
        }

        try
        {
            _device.Delete(snapshot.File);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fail(e);
        }
    }

    private ReplicaLog Known(ReplicaId replica) =>
        _replicas.TryGetValue(replica, out var log) ? log : throw new KeyNotFoundException($"{replica} has nothing in this log");
}
