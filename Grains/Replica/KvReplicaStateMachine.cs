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
    public object Apply(ulong index, ReadOnlySpan<byte> payload) => Kv.Apply(index, payload);

    /// <inheritdoc />
    public void Skip(ulong index) => Kv.Skip(index);

    /// <inheritdoc />
    public byte[] WriteSnapshot()
    {
        using var ms = new MemoryStream();
        Kv.WriteSnapshot(ms);
        return ms.ToArray();
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
