using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;

namespace MultiRaft.Grains.Runtime;

/// <summary>
/// A silo's inbox, join door and clients' way in (<see cref="ISiloGrain"/>), pinned to the silo it
/// is named after. Stateless: every call is handed straight to the silo's services or replicas.
/// </summary>
[SiloPinned, Immovable, KeepAlive, Reentrant]
public sealed class SiloGrain(ISiloServices silo, IReplicaOperations operations) : Grain, ISiloGrain
{
    /// <inheritdoc />
    public Task Deliver(byte[] batch)
    {
        silo.Deliver(batch);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeliverChunk(byte[] chunk)
    {
        silo.DeliverChunk(chunk);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ClientResponse> Register(SiloInfo joining, uint timeoutMs, bool emptyStorage) =>
        silo.RegisterAsync(joining, timeoutMs, emptyStorage).AsTask();

    /// <inheritdoc />
    public Task<ClientResponse> Serve(ulong shardId, ulong replicaId, ClientRequest request) =>
        ReplicaRequests.ServeAsync(operations, shardId, replicaId, request);
}
