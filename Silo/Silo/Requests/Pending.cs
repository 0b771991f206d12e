using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Silo.Requests;

/// <summary>A gateway request's answer-to-be, completed on the replica's worker.</summary>
internal sealed class Pending
{
    private readonly TaskCompletionSource<ClientResponse> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Pending? _forwardTo;

    public Task<ClientResponse> Task => _tcs.Task;

    /// <summary>The write reached the leader's log: from now on, silence means "unknown".</summary>
    public volatile bool Proposed;

    /// <summary>Stale reads may be served by any replica.</summary>
    public bool AllowFollower { get; init; }

    public void Complete(ClientResponse response)
    {
        if (_forwardTo is { } target)
        {
            target.Complete(response);
        }
        else
        {
            _tcs.TrySetResult(response);
        }
    }

    /// <summary>Makes <paramref name="outer"/> see this operation's progress and answer.</summary>
    public void Forward(Pending outer)
    {
        outer.Proposed |= Proposed;
        if (_tcs.Task.IsCompleted)
        {
            outer.Complete(_tcs.Task.Result);
        }
        else
        {
            _forwardTo = outer;
        }
    }
}
