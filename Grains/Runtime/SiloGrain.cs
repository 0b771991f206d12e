using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;

namespace MultiRaft.Grains.Runtime;

/// <summary>
/// A silo's inbox and join door (<see cref="ISiloGrain"/>), pinned to the silo it is named after.
/// Stateless: every call is handed straight to the silo's services.
/// </summary>
[SiloPinned, Immovable, KeepAlive, Reentrant]
public sealed class SiloGrain(ISiloServices silo) : Grain, ISiloGrain
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
}
