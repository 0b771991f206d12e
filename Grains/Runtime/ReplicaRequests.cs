using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Runtime;

/// <summary>
/// How a silo answers a client's operation on one of its replicas, whichever grain it came
/// through: the replica's own (<see cref="ReplicaGrain"/>) or the silo's (<see cref="SiloGrain.Serve"/>).
/// </summary>
internal static class ReplicaRequests
{
    /// <summary>
    /// The answer for a request that must not reach the replica: routed to another shard, or for
    /// a replica this silo does not run (never placed here, removed, not yet created: the caller
    /// refreshes its view and tries another member). Null when the replica may take it.
    /// </summary>
    public static ClientResponse? Refusal(IReplicaOperations operations, ulong shardId, ulong replicaId, ShardRoute? route)
    {
        if (route is null || route.ShardId != shardId)
        {
            return new ClientResponse
            {
                Status = ResponseStatus.BadRequest,
                Error = $"the request is routed to shard {route?.ShardId ?? 0}, but this is a replica of shard {shardId}",
            };
        }

        return operations.Hosts(shardId, replicaId)
            ? null
            : new ClientResponse
            {
                Status = ResponseStatus.ShardNotFound,
                Error = $"replica {replicaId} of shard {shardId} does not run on silo {operations.SiloId}",
            };
    }

    /// <summary>A get, write, scan or session opening for replica <paramref name="replicaId"/> of <paramref name="shardId"/> here.</summary>
    public static Task<ClientResponse> ServeAsync(IReplicaOperations operations, ulong shardId, ulong replicaId, ClientRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!SiloServed.Includes(request.OpCase))
        {
            return Task.FromResult(new ClientResponse
            {
                Status = ResponseStatus.BadRequest,
                Error = $"'{request.OpCase}' is not served through a silo: call the replica's grain",
            });
        }

        var route = request.OpCase switch
        {
            ClientRequest.OpOneofCase.Get => request.Get.Route,
            ClientRequest.OpOneofCase.Write => request.Write.Route,
            ClientRequest.OpOneofCase.Scan => request.Scan.Route,
            _ => request.OpenSession.Route,
        };
        if (Refusal(operations, shardId, replicaId, route) is { } refusal)
        {
            return Task.FromResult(refusal);
        }

        var timeout = request.TimeoutMs;
        return request.OpCase switch
        {
            ClientRequest.OpOneofCase.Get => operations.GetAsync(shardId, request.Get, timeout).AsTask(),
            ClientRequest.OpOneofCase.Write => operations.WriteAsync(shardId, request.Write, timeout).AsTask(),
            ClientRequest.OpOneofCase.Scan => operations.ScanAsync(shardId, request.Scan, timeout).AsTask(),
            _ => operations.OpenSessionAsync(shardId, request.OpenSession, timeout).AsTask(),
        };
    }
}
