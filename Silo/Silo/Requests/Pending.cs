using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Silo.Requests;

/// <summary>A gateway request's answer-to-be, completed on the replica's worker.</summary>
internal sealed class Pending
{
    private readonly TaskCompletionSource<ClientResponse> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ClientResponse> Task => _tcs.Task;

    /// <summary>The write reached the leader's log: from now on, silence means "unknown".</summary>
    public volatile bool Proposed;

    public void Complete(ClientResponse response) => _tcs.TrySetResult(response);
}
