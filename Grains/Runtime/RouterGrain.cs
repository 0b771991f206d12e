using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using Orleans;
using Orleans.Concurrency;

namespace MultiRaft.Grains.Runtime;

/// <summary>
/// The router façade (<see cref="IRouterGrain"/>): a stateless worker, so it runs on the silo
/// that received the call and answers from that silo's replica of the meta shard.
/// </summary>
[StatelessWorker]
public sealed class RouterGrain(ISiloServices silo) : Grain, IRouterGrain
{
    /// <inheritdoc />
    public Task<ClientResponse> GetView() => Task.FromResult(silo.GetView());
}
