using MultiRaft.Raft;

namespace MultiRaft.Storage;

/// <summary>
/// Where a silo's replicas make their Raft state durable: one provider for all replicas of
/// the silo, shaped as append → group commit → wait until durable. <see cref="Append"/> only
/// enqueues (it never blocks on I/O); <see cref="WaitDurableAsync"/> completes once that append
/// and everything appended before it, by any caller, is on stable storage: concurrent
/// appenders share one write and one sync.
///
/// Semantics per replica, replayed in order on recovery: an append whose first entry is at
/// index i replaces any stored entries at i and after; a hard state replaces the previous one;
/// an installed snapshot replaces the whole log; a saved snapshot leaves the entries alone;
/// compaction drops entries up to an index covered by a saved snapshot; deletion forgets the
/// replica. Faults stop the provider (fail stop): once an operation throws
/// <see cref="StorageFaultException"/>, every later one throws it too, and nothing it could not
/// make durable is ever reported durable.
/// </summary>
public interface IStorageProvider : IAsyncDisposable
{
    /// <summary>A short name for logs and benchmarks (file, postgres, memory).</summary>
    string Name { get; }

    /// <summary>
    /// Takes the store for this process without reading it, so that a store another process
    /// holds is refused at once, before the caller starts anything else; the file WAL takes its
    /// directory's lock. <see cref="RecoverAsync"/> takes it too if this was
    /// not called. Stores with nothing to take (PostgreSQL, whose rows are per silo; memory) do nothing.
    /// </summary>
    /// <exception cref="StorageLockedException">Another process holds the store.</exception>
    void Claim()
    {
    }

    /// <summary>
    /// Opens the store and returns everything durable, per replica. Called once, before any
    /// other operation but <see cref="Claim"/>.
    /// </summary>
    /// <exception cref="StorageCorruptionException">A record before the end of the log is damaged.</exception>
    ValueTask<IReadOnlyList<RecoveredReplica>> RecoverAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Enqueues a replica's new entries and hard state (either may be empty) and returns a
    /// position to wait on. The entries are copied before this returns.
    /// </summary>
    long Append(ReplicaId replica, HardState? hardState, ReadOnlySpan<Entry> entries);

    /// <summary>Completes when everything appended up to <paramref name="position"/> is durable.</summary>
    /// <exception cref="StorageFaultException">The write or the sync failed; the provider is stopped.</exception>
    ValueTask WaitDurableAsync(long position, CancellationToken cancellationToken);

    /// <summary>
    /// Durably records a snapshot the replica made of its own state. Entries are kept until
    /// <see cref="CompactAsync"/>.
    /// </summary>
    ValueTask SaveSnapshotAsync(ReplicaId replica, Snapshot snapshot, CancellationToken cancellationToken);

    /// <summary>
    /// Durably installs a snapshot received from a leader: the replica's log is replaced by it.
    /// Ordered with appends: appends made after this completes follow the snapshot.
    /// </summary>
    ValueTask InstallSnapshotAsync(ReplicaId replica, Snapshot snapshot, CancellationToken cancellationToken);

    /// <summary>Drops entries up to <paramref name="index"/>, which a saved snapshot must cover.</summary>
    ValueTask CompactAsync(ReplicaId replica, ulong index, CancellationToken cancellationToken);

    /// <summary>Forgets a replica entirely (it moved to another silo); durable on completion.</summary>
    ValueTask DeleteReplicaAsync(ReplicaId replica, CancellationToken cancellationToken);
}
