using Orleans.Runtime;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Holds several starting silos, each as Orleans makes it active, until all of them got there,
/// so that they register with the router within moments of each other. The router places a
/// shard's missing replicas on the silos registered when it plans and never moves them later:
/// silos that trickle in one by one (Orleans joins them seconds apart) would all get their
/// replicas from the first two arrivals.
/// </summary>
internal sealed class SiloStartBarrier(int silos)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    /// <summary>One silo's part: add it to that silo's services.</summary>
    public ILifecycleParticipant<ISiloLifecycle> Participant() => new Gate(this);

    private async Task ArriveAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _arrived) == silos)
        {
            _all.TrySetResult();
        }

        try
        {
            await _all.Task.WaitAsync(Patience, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A silo that never arrives must not hold the others forever: they start, less spread.
        }
    }

    private sealed class Gate(SiloStartBarrier barrier) : ILifecycleParticipant<ISiloLifecycle>
    {
        // Beside membership's own step at this stage; the store registers at the next (Active).
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(SiloStartBarrier), ServiceLifecycleStage.BecomeActive, barrier.ArriveAsync);
    }
}
