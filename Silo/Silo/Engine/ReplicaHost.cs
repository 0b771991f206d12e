using MultiRaft.Grains.Replica;
using MultiRaft.Storage;

namespace MultiRaft.Silo.Engine;

/// <summary>A replica grain as the engine holds it: the grain and the worker that owns it.</summary>
internal sealed class ReplicaHost(ReplicaId id, ReplicaGrain grain, EngineWorker worker)
{
    public ReplicaId Id { get; } = id;

    public ReplicaGrain Grain { get; } = grain;

    public EngineWorker Worker { get; } = worker;

    /// <summary>Set once the replica is removed or stopped: late work for it is dropped.</summary>
    public volatile bool Closed;

    /// <summary>The replica led its group at its last role change: read by other threads as a routing hint only.</summary>
    public volatile bool Leads;
}
