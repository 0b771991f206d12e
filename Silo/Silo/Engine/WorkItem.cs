using MultiRaft.Grains.Replica;
using MultiRaft.Raft;

namespace MultiRaft.Silo.Engine;

/// <summary>What a worker's inbox holds: a message to step, a report, or an operation on a replica's turn.</summary>
internal readonly record struct WorkItem(ReplicaHost? Host, WorkKind Kind, Message? Message = null, ulong Peer = 0,
    Action<ReplicaMember>? Operation = null, TaskCompletionSource? Closed = null, PeerEvent PeerEvent = default);

internal enum WorkKind : byte
{
    Step,
    Unreachable,
    SnapshotFailed,
    Operation,
    Tick,
    Kick,
    // Stops the replica between two turns, so that nothing of it is written after its deletion.
    Close,
    // Another silo was suspected or restarted: wakes the worker's quiesced replicas that depend on it.
    PeerChanged,
}
