using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Replica;

/// <summary>A data shard's state machine: the versioned KV map with its client sessions.</summary>
public sealed class KvReplicaStateMachine(KvSessionOptions sessionOptions, KvLimits limits) : IReplicaStateMachine
{
    private int _splitApplying;

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
        // Raised (with a full fence) before the range shrinks and lowered only after the host took
        // the split over: a reader on another thread that sees the range shrunk and the flag down
        // also sees what the host recorded of the split (see SplitApplying).
        var split = payload.Length > 1 && payload[1] == (byte)KvCommandKind.Split;
        if (split)
        {
            Interlocked.Exchange(ref _splitApplying, 1);
        }

        try
        {
            var result = Kv.Apply(index, payload);
            if (Kv.LastSplit is { } done)
            {
                SplitApplied?.Invoke(done);
            }

            return result;
        }
        finally
        {
            if (split)
            {
                Volatile.Write(ref _splitApplying, 0);
            }
        }
    }

    /// <summary>
    /// Whether a split entry is being applied right now (read from another thread: read the
    /// range first, then this, then whatever <see cref="SplitApplied"/> records).
    /// </summary>
    public bool SplitApplying => Volatile.Read(ref _splitApplying) != 0;

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
