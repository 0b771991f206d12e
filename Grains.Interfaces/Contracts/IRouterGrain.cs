using Orleans.Concurrency;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// The router: the façade of the meta shard (shard 0), whose Raft group every silo is a member
/// of. A stateless worker: it answers from the silo it runs on (a client's gateway silo), so a
/// view costs no second hop. Use key 0.
/// </summary>
public interface IRouterGrain : IGrainWithIntegerKey
{
    /// <summary>The cluster as this silo last applied it: OK with the view, or UNAVAILABLE before the silo has it.</summary>
    [AlwaysInterleave]
    Task<ClientResponse> GetView();
}
