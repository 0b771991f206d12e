using MultiRaft.Grains.Replica;

namespace MultiRaft.Silo.Requests;

/// <summary>
/// The deadlines of the local writes in flight. They all have the same timeout, so the list in
/// order of arrival is in order of deadline too: one timer expires writes from its head, and a
/// write that gets its answer leaves the list at once, so nothing answered waits for a sweep.
/// This replaces a timer (and a wrapping task) per write.
/// </summary>
internal sealed class WriteDeadlines : IDisposable
{
    private readonly LinkedList<(OneShotProposal Proposal, long Deadline)> _pending = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _timeoutTicks;
    private readonly ITimer _sweep;

    /// <summary>Expires writes <paramref name="timeout"/> after they are tracked, give or take a twentieth of it (at most 100 ms).</summary>
    public WriteDeadlines(TimeSpan timeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _time = time;
        _timeoutTicks = (long)(timeout.TotalSeconds * time.TimestampFrequency);
        var period = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 20, TimeSpan.TicksPerMillisecond, 100 * TimeSpan.TicksPerMillisecond));
        _sweep = time.CreateTimer(static s => ((WriteDeadlines)s!).Sweep(), this, period, period);
    }

    /// <summary>Starts the clock on <paramref name="proposal"/>: at its deadline its outcome fails with a <see cref="TimeoutException"/>.</summary>
    public LinkedListNode<(OneShotProposal Proposal, long Deadline)> Track(OneShotProposal proposal)
    {
        var node = new LinkedListNode<(OneShotProposal, long)>((proposal, _time.GetTimestamp() + _timeoutTicks));
        lock (_lock)
        {
            _pending.AddLast(node);
        }

        return node;
    }

    /// <summary>Stops the clock on a write that got its answer (or expired).</summary>
    public void Forget(LinkedListNode<(OneShotProposal Proposal, long Deadline)> node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            if (node.List is not null)
            {
                _pending.Remove(node);
            }
        }
    }

    public void Dispose() => _sweep.Dispose();

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        List<OneShotProposal>? expired = null;
        lock (_lock)
        {
            while (_pending.First is { } first && first.Value.Deadline <= now)
            {
                _pending.RemoveFirst();
                (expired ??= []).Add(first.Value.Proposal);
            }
        }

        // Outside the lock: expiring completes the waiter's task (its continuation runs elsewhere).
        expired?.ForEach(static p => p.Expire());
    }
}
