using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Replica;

/// <summary>A data shard's state machine: the versioned KV map with its client sessions.</summary>
public sealed class KvReplicaStateMachine(KvSessionOptions sessionOptions, KvLimits limits) : IReplicaStateMachine
{
    /// <summary>The KV store (read it only on the replica's worker).</summary>
    public KvStateMachine Kv { get; private set; } = new(sessionOptions);

    /// <summary>Limits a command must respect.</summary>
    public KvLimits Limits { get; } = limits;

    /// <inheritdoc />
    public ulong LastAppliedIndex => Kv.LastAppliedIndex;

    /// <inheritdoc />
    /// <remarks>Limits are checked at proposal time: a replica never refuses an entry its peers applied.</remarks>
    public object Apply(ulong index, ReadOnlySpan<byte> payload)
    {
        var result = Kv.Apply(index, payload);
        if (Kv.LastSplit is { } split)
        {
            SplitApplied?.Invoke(split);
        }

        return result;
    }

    /// <summary>
    /// Called on the replica's worker when a split entry applies (on every replica, at the same
    /// index): the host starts its replica of the new shard from <see cref="ShardSplit.Child"/>.
    /// </summary>
    public Action<ShardSplit>? SplitApplied { get; set; }

    /// <inheritdoc />
    public void Skip(ulong index) => Kv.Skip(index);

    /// <inheritdoc />
    public ReadOnlyMemory<byte> WriteSnapshot()
    {
        // Sized exactly and handed out without a copy: a snapshot is a large-object-heap array,
        // and each extra one (growth, copy) brings the next full collection closer.
        using var ms = new MemoryStream(checked((int)Kv.SnapshotLength));
        Kv.WriteSnapshot(ms);
        return ms.GetBuffer().AsMemory(0, (int)ms.Length);
    }

    /// <inheritdoc />
    public void RestoreSnapshot(ReadOnlySpan<byte> data)
    {
        var fresh = new KvStateMachine(sessionOptions);
        if (!data.IsEmpty)
        {
            fresh.RestoreSnapshot(data);
        }

        Kv = fresh;
    }

    /// <inheritdoc />
    public byte[] Digest() => Kv.Digest();
}
