using System.Diagnostics;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client.Tests;

/// <summary>How a scripted replica grain answers one call (the token is the client's call deadline).</summary>
public delegate ValueTask<ClientResponse> ReplicaScript(ReplicaAddress target, ClientRequest request, CancellationToken cancellationToken);

/// <summary>
/// The answers a replica can give, as <see cref="ReplicaScript"/>s: a status, a call lost in
/// transit, a refused placement, no answer at all, or a status at the call's deadline.
/// </summary>
public static class Scripts
{
    public static ValueTask<ClientResponse> Answer(ResponseStatus status, Action<ClientResponse>? fill = null)
    {
        var response = new ClientResponse { Status = status };
        fill?.Invoke(response);
        return new(response);
    }

    public static ReplicaScript Reply(ResponseStatus status, Action<ClientResponse>? fill = null) =>
        (_, _, _) => Answer(status, fill);

    /// <summary>The call may have run but no answer came back (a lost silo, a timeout): as <see cref="OrleansGrainChannel"/> reports it.</summary>
    public static readonly ReplicaScript Lose = (target, _, _) =>
        throw new ReplicaUnreachableException($"The call to {Name(target)} failed: the response was lost (scripted).");

    /// <summary>The grain's home silo refused to place it: the call certainly did not run.</summary>
    public static readonly ReplicaScript RefusePlacement = (target, _, _) =>
        throw new ReplicaUnreachableException($"The call to {Name(target)} failed (scripted).",
            PlacementRefusal.Create(GrainKeys.Replica(target.ShardId, target.ReplicaId, target.SiloId), target.SiloId))
        {
            MayHaveArrived = false,
        };

    /// <summary>No answer before the deadline cancels the call, as <see cref="OrleansGrainChannel"/> lets the cancellation through.</summary>
    public static readonly ReplicaScript NeverAnswer = async (_, _, cancellationToken) =>
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new UnreachableException();
    };

    /// <summary>
    /// Answers <paramref name="status"/> once the call's deadline has passed, as a replica does
    /// that spends the request's whole timeout_ms without a result: the deadline then ends the
    /// call between attempts, not during one.
    /// </summary>
    public static ReplicaScript ReplyAtDeadline(ResponseStatus status) => async (_, _, cancellationToken) =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        return await Answer(status);
    };

    /// <summary>The n-th call is answered by the n-th step; the last step answers every call after it.</summary>
    public static ReplicaScript InTurn(params ReplicaScript[] steps)
    {
        var calls = -1;
        return (target, request, cancellationToken) =>
            steps[Math.Min(Interlocked.Increment(ref calls), steps.Length - 1)](target, request, cancellationToken);
    }

    /// <summary>Calls to <paramref name="siloId"/> are answered by <paramref name="there"/>, the rest by <paramref name="elsewhere"/>.</summary>
    public static ReplicaScript OnSilo(string siloId, ReplicaScript there, ReplicaScript elsewhere) =>
        (target, request, cancellationToken) => (target.SiloId == siloId ? there : elsewhere)(target, request, cancellationToken);

    private static string Name(ReplicaAddress target) => $"replica {target.ReplicaId} of shard {target.ShardId} on silo {target.SiloId}";
}
