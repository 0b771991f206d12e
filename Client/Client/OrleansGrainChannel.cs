using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using Orleans;

namespace MultiRaft.Client;

/// <summary>
/// Calls the cluster's grains through Orleans: from an external client through its gateways,
/// or from inside a silo directly. A call that fails without an answer is reported as
/// <see cref="ReplicaUnreachableException"/>; the client's retry loop decides what it means.
/// </summary>
public sealed class OrleansGrainChannel(IGrainFactory grains) : IGrainChannel
{
    private readonly SiloGrainReferences _silos = new(grains);

    /// <inheritdoc />
    public async ValueTask<ClientResponse> SendAsync(ReplicaAddress target, ClientRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (SiloServed.Includes(request.OpCase))
        {
            // Through the silo's grain: one per silo, where a replica grain per shard meant a
            // directory lookup for each shard's first call and an activation kept per replica.
            var silo = _silos.Of(target.SiloId);
            return await AnswerAsync(silo.Serve(target.ShardId, target.ReplicaId, request),
                $"replica {target.ReplicaId} of shard {target.ShardId} on silo {target.SiloId}", cancellationToken).ConfigureAwait(false);
        }

        var grain = grains.GetGrain<IReplicaGrain>(GrainKeys.Replica(target.ShardId, target.ReplicaId, target.SiloId));
        var timeout = request.TimeoutMs;
        var call = request.OpCase switch
        {
            ClientRequest.OpOneofCase.TransferLeader => grain.TransferLeader(request.TransferLeader, timeout),
            ClientRequest.OpOneofCase.Digest => grain.Digest(),
            ClientRequest.OpOneofCase.ScaleIn => grain.ScaleIn(request.ScaleIn, timeout),
            ClientRequest.OpOneofCase.SplitShard => grain.SplitShard(request.SplitShard, timeout),
            _ => throw new ArgumentException($"'{request.OpCase}' is not an operation of a replica grain.", nameof(request)),
        };
        return await AnswerAsync(call, $"replica {target.ReplicaId} of shard {target.ShardId} on silo {target.SiloId}", cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ClientResponse> GetViewAsync(CancellationToken cancellationToken) =>
        await AnswerAsync(grains.GetGrain<IRouterGrain>(0).GetView(), "the router", cancellationToken).ConfigureAwait(false);

    private static async Task<ClientResponse> AnswerAsync(Task<ClientResponse> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Orleans reports a lost silo, a refused placement, a timeout or a broken connection
            // as exceptions; none of them says whether the grain ran the call, except a refused
            // placement (the grain never activated).
            throw new ReplicaUnreachableException($"The call to {what} failed: {ex.Message}", ex)
            {
                MayHaveArrived = !PlacementRefusal.IsRefusal(ex),
            };
        }
    }
}
