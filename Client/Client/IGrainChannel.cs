using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client;

/// <summary>
/// How the client reaches the cluster's grains. The default calls them through Orleans
/// (<see cref="OrleansGrainChannel"/>); tests script it.
/// </summary>
public interface IGrainChannel
{
    /// <summary>Runs one operation on a replica grain and returns its answer.</summary>
    /// <exception cref="ReplicaUnreachableException">The call did not come back with an answer (the silo is down, the call timed out or failed in transit).</exception>
    ValueTask<ClientResponse> SendAsync(ReplicaAddress target, ClientRequest request, CancellationToken cancellationToken);

    /// <summary>The cluster view from the router grain (as the silo that serves the call sees it).</summary>
    /// <exception cref="ReplicaUnreachableException">No silo answered.</exception>
    ValueTask<ClientResponse> GetViewAsync(CancellationToken cancellationToken);
}

/// <summary>A replica grain: the member <paramref name="ReplicaId"/> of shard <paramref name="ShardId"/> on silo <paramref name="SiloId"/>.</summary>
public readonly record struct ReplicaAddress(ulong ShardId, ulong ReplicaId, string SiloId);
