namespace MultiRaft.Grains.Replica;

/// <summary>
/// What a replica grain applies its committed log to: the KV store of a data shard, or the
/// router state of the meta shard. Called only from the replica's engine worker.
/// </summary>
public interface IReplicaStateMachine
{
    /// <summary>The index of the last entry applied or skipped.</summary>
    ulong LastAppliedIndex { get; }

    /// <summary>Applies a command; returns its result for the proposer.</summary>
    /// <exception cref="FormatException">The payload is not a command: the replica must stop.</exception>
    object Apply(ulong index, ReadOnlySpan<byte> payload);

    /// <summary>An entry with no command (leader no-op, membership change).</summary>
    void Skip(ulong index);

    /// <summary>The state as snapshot bytes.</summary>
    ReadOnlyMemory<byte> WriteSnapshot();

    /// <summary>Replaces the state with a snapshot's (empty = the empty state).</summary>
    void RestoreSnapshot(ReadOnlySpan<byte> data);

    /// <summary>A hash of the state, equal on replicas that applied the same log.</summary>
    byte[] Digest();
}
