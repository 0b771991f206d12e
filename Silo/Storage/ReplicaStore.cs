using System.Collections.Concurrent;
using MultiRaft.Raft;

namespace MultiRaft.Storage;

/// <summary>
/// A silo's replicas' Raft state: an in-memory view per replica (what the core reads through
/// <see cref="IRaftStorage"/>) kept in step with one durable <see cref="IStorageProvider"/>.
/// Each replica is used by one engine worker at a time; different replicas may be used
/// concurrently.
/// </summary>
public sealed class ReplicaStore : IAsyncDisposable
{
    private readonly IStorageProvider _provider;
    private readonly ConcurrentDictionary<ReplicaId, MemoryStorage> _views = new();

    private ReplicaStore(IStorageProvider provider) => _provider = provider;

    /// <summary>The provider underneath.</summary>
    public IStorageProvider Provider => _provider;

    /// <summary>Opens <paramref name="provider"/> and builds the views from what it recovered.</summary>
    public static async ValueTask<ReplicaStore> OpenAsync(IStorageProvider provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var store = new ReplicaStore(provider);
        foreach (var r in await provider.RecoverAsync(cancellationToken).ConfigureAwait(false))
        {
            var view = new MemoryStorage();
            if (r.Snapshot is { } s)
            {
                view.ApplySnapshot(s);
            }

            view.Append(r.Entries.ToArray());
            view.SetHardState(r.HardState);
            store._views[r.Replica] = view;
        }

        return store;
    }

    /// <summary>How many replicas this silo holds.</summary>
    public int Count => _views.Count;

    /// <summary>The replicas this silo holds, sorted.</summary>
    public IReadOnlyList<ReplicaId> Replicas => _views.Keys.Order().ToArray();

    /// <summary>The view of a replica held here, or null.</summary>
    public MemoryStorage? Find(ReplicaId replica) => _views.TryGetValue(replica, out var v) ? v : null;

    /// <summary>The view of a replica, created empty if this silo does not hold it yet.</summary>
    public MemoryStorage GetOrCreate(ReplicaId replica) => _views.GetOrAdd(replica, _ => new MemoryStorage());

    /// <summary>
    /// Records a Ready's entries and hard state in the view and enqueues them for durability;
    /// wait on the returned position before sending what depends on them.
    /// </summary>
    public long Append(ReplicaId replica, HardState? hardState, ReadOnlySpan<Entry> entries)
    {
        var view = Get(replica);
        if (hardState is { } hs)
        {
            view.SetHardState(hs);
        }

        view.Append(entries);
        return _provider.Append(replica, hardState, entries);
    }

    /// <summary>
    /// Writes the replica's entries and hard state again, as an append of what it holds, so that
    /// the log file holding their first copies can be freed (<see cref="ILogHoldBacks"/>). Call
    /// where the replica's appends are made (its worker): nothing may be appended between the
    /// read and the write.
    /// </summary>
    public long Relocate(ReplicaId replica)
    {
        var view = Get(replica);
        // Thousands of relocations a second at 10,000 replicas: a list grown afresh for each was
        // a kilobyte of garbage per write served.
        var entries = SliceScratch.Take();
        try
        {
            // Entries the snapshot covers are kept for followers only; recovery does not need them.
            var first = Math.Max(view.FirstIndex, (view.GetSnapshot()?.Index ?? 0) + 1);
            if (view.LastIndex >= first)
            {
                view.GetEntries(first, view.LastIndex + 1, long.MaxValue, entries);
            }

            // The provider copies the entries into its records before it returns.
            return _provider.Append(replica, view.HardState, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries));
        }
        finally
        {
            SliceScratch.Return(entries);
        }
    }

    /// <summary>Completes once everything appended up to <paramref name="position"/> is durable.</summary>
    public ValueTask WaitDurableAsync(long position, CancellationToken cancellationToken) =>
        _provider.WaitDurableAsync(position, cancellationToken);

    /// <summary>Makes and durably saves a snapshot of the replica's state at an applied index.</summary>
    public async ValueTask<Snapshot> SaveSnapshotAsync(ReplicaId replica, ulong index, ConfState confState,
        ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var snapshot = Get(replica).CreateSnapshot(index, confState, data);
        await _provider.SaveSnapshotAsync(replica, snapshot, cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>Durably installs a snapshot from the leader; the replica's log is replaced.</summary>
    public async ValueTask InstallSnapshotAsync(ReplicaId replica, Snapshot snapshot, CancellationToken cancellationToken)
    {
        await _provider.InstallSnapshotAsync(replica, snapshot, cancellationToken).ConfigureAwait(false);
        GetOrCreate(replica).ApplySnapshot(snapshot);
    }

    /// <summary>Drops the replica's entries up to <paramref name="index"/> (covered by its snapshot).</summary>
    public async ValueTask CompactAsync(ReplicaId replica, ulong index, CancellationToken cancellationToken)
    {
        var view = Get(replica);
        var snap = view.GetSnapshot();
        if (snap is null || snap.Index < index)
        {
            throw new ArgumentException($"{replica}: compacting to {index} needs a snapshot covering it (latest {snap?.Index ?? 0})");
        }

        view.Compact(index);
        await _provider.CompactAsync(replica, index, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets a replica that moved off this silo.</summary>
    public async ValueTask DeleteAsync(ReplicaId replica, CancellationToken cancellationToken)
    {
        await _provider.DeleteReplicaAsync(replica, cancellationToken).ConfigureAwait(false);
        _views.TryRemove(replica, out _);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    private MemoryStorage Get(ReplicaId replica) =>
        _views.TryGetValue(replica, out var v) ? v : throw new KeyNotFoundException($"{replica} is not held by this silo");
}
