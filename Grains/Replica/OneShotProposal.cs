using MultiRaft.Raft;

namespace MultiRaft.Grains.Replica;

/// <summary>
/// A command without a session, proposed at most once. Without a session a retry could apply it
/// twice, so its waiter must know, when it gives up, whether the command can still apply: the
/// replica's turn and <see cref="TryAbandon"/> race for one state, and exactly one of them wins.
/// </summary>
public sealed class OneShotProposal(ReadOnlyMemory<byte> payload)
{
    private const int Queued = 0, Proposed = 1, Abandoned = 2;

    private readonly TaskCompletionSource<ApplyOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    /// <summary>
    /// Applied with its result, or not applied and never will be (this replica did not lead, the
    /// proposal was dropped or overwritten, or it was abandoned first). Never completes while the
    /// outcome is unknown, except that <see cref="Expire"/> fails it with a <see cref="TimeoutException"/>.
    /// </summary>
    public Task<ApplyOutcome> Outcome => _outcome.Task;

    /// <summary>On the replica's turn: proposes, unless the replica does not lead or the waiter gave up.</summary>
    public void Run(ReplicaMember grain)
    {
        ArgumentNullException.ThrowIfNull(grain);
        if (!grain.IsLeader || Interlocked.CompareExchange(ref _state, Proposed, Queued) != Queued)
        {
            _outcome.TrySetResult(ApplyOutcome.Overwritten);
            return;
        }

        if (grain.Propose(payload, o => _outcome.TrySetResult(o)) != ProposalResult.Accepted)
        {
            _outcome.TrySetResult(ApplyOutcome.Overwritten);
        }
    }

    /// <summary>
    /// The waiter's deadline passed: <see cref="Outcome"/> fails with a <see cref="TimeoutException"/>
    /// unless it already completed. The proposal is not affected; <see cref="TryAbandon"/> then
    /// tells whether it can still apply.
    /// </summary>
    public void Expire() => _outcome.TrySetException(new TimeoutException("The proposal's waiter gave up."));

    /// <summary>
    /// Gives up on a proposal not yet run: true if it never was and now never will be proposed;
    /// false if it was proposed, so its outcome stays unknown until <see cref="Outcome"/> says.
    /// </summary>
    public bool TryAbandon()
    {
        var state = Interlocked.CompareExchange(ref _state, Abandoned, Queued);
        return state is Queued or Abandoned;
    }
}
