using MultiRaft.Grains.Replica;
using MultiRaft.Storage;

namespace MultiRaft.Silo.Engine;

/// <summary>A replica as the engine holds it: its Raft member and the worker that owns it.</summary>
internal sealed class ReplicaHost(ReplicaId id, ReplicaMember member, EngineWorker worker)
{
    public ReplicaId Id { get; } = id;

    public ReplicaMember Member { get; } = member;

    public EngineWorker Worker { get; } = worker;

    /// <summary>Set once the replica is removed or stopped: late work for it is dropped.</summary>
    public volatile bool Closed;

    /// <summary>The replica led its group at its last role change: read by other threads as a routing hint only.</summary>
    public volatile bool Leads;
}
