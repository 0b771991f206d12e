using MultiRaft.Raft;

namespace MultiRaft.Storage;

/// <summary>
/// A provider that keeps "durable" state in memory: the reference semantics of
/// <see cref="IStorageProvider"/>, for tests and for silos that need no durability. A new
/// instance over the same <see cref="State"/> recovers what the previous one wrote.
/// </summary>
public sealed class InMemoryStorageProvider : IStorageProvider
{
    private readonly object _gate = new();
    private long _position;

    /// <summary>Creates a provider with fresh state.</summary>
    public InMemoryStorageProvider()
        : this(new Dictionary<ReplicaId, MemoryStorage>())
    {
    }

    /// <summary>Creates a provider over existing state (a "restart").</summary>
    public InMemoryStorageProvider(Dictionary<ReplicaId, MemoryStorage> state) => State = state;

    /// <summary>The stored state, per replica.</summary>
    public Dictionary<ReplicaId, MemoryStorage> State { get; }

    /// <inheritdoc />
    public string Name => "memory";

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecoveredReplica>> RecoverAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var result = new List<RecoveredReplica>();
            foreach (var (id, st) in State.OrderBy(kv => kv.Key))
            {
                var snap = st.GetSnapshot();
                var from = Math.Max(st.FirstIndex, (snap?.Index ?? 0) + 1);
                var entries = new List<Entry>();
                if (from <= st.LastIndex)
                {
                    st.GetEntries(from, st.LastIndex + 1, long.MaxValue, entries);
                }

                result.Add(new RecoveredReplica(id, st.HardState, snap is { IsEmpty: false } ? snap : null, entries));
            }

            return ValueTask.FromResult<IReadOnlyList<RecoveredReplica>>(result);
        }
    }

    /// <inheritdoc />
    public long Append(ReplicaId replica, HardState? hardState, ReadOnlySpan<Entry> entries)
    {
        lock (_gate)
        {
            var st = Replica(replica);
            if (hardState is { } hs)
            {
                st.SetHardState(hs);
            }

            st.Append(entries);
            return ++_position;
        }
    }

    /// <inheritdoc />
    public ValueTask WaitDurableAsync(long position, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask SaveSnapshotAsync(ReplicaId replica, Snapshot snapshot, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Replica(replica).CreateSnapshot(snapshot.Index, snapshot.ConfState, snapshot.Data);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask InstallSnapshotAsync(ReplicaId replica, Snapshot snapshot, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Replica(replica).ApplySnapshot(snapshot);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask CompactAsync(ReplicaId replica, ulong index, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Replica(replica).Compact(index);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DeleteReplicaAsync(ReplicaId replica, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            State.Remove(replica);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private MemoryStorage Replica(ReplicaId id)
    {
        if (!State.TryGetValue(id, out var st))
        {
            st = new MemoryStorage();
            State[id] = st;
        }

        return st;
    }
}
