using MultiRaft.Grains.Replica;
using MultiRaft.Silo.Requests;

namespace MultiRaft.Cluster.Tests;

/// <summary>The local writes' shared deadline list: a write expires at its deadline, not before, and never once answered.</summary>
public sealed class WriteDeadlinesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_write_expires_at_its_deadline_and_not_before()
    {
        var time = new SteppedTime();
        using var deadlines = new WriteDeadlines(Timeout, time);
        var first = new OneShotProposal(Array.Empty<byte>());
        deadlines.Track(first);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = new OneShotProposal(Array.Empty<byte>());
        deadlines.Track(second);

        time.Advance(Timeout - TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.False(first.Outcome.IsCompleted);

        time.Advance(TimeSpan.FromTicks(1));
        await Assert.ThrowsAsync<TimeoutException>(() => first.Outcome);
        Assert.False(second.Outcome.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => second.Outcome);
    }

    [Fact]
    public void A_forgotten_write_never_expires()
    {
        var time = new SteppedTime();
        using var deadlines = new WriteDeadlines(Timeout, time);
        var answered = new OneShotProposal(Array.Empty<byte>());
        var node = deadlines.Track(answered);
        deadlines.Forget(node);
        deadlines.Forget(node); // forgetting twice (answered, then the finally) is harmless

        time.Advance(Timeout * 2);
        Assert.False(answered.Outcome.IsCompleted);
    }

    [Fact]
    public void The_sweep_runs_often_enough_for_the_timeout()
    {
        var time = new SteppedTime();
        using var deadlines = new WriteDeadlines(Timeout, time);
        Assert.Equal(TimeSpan.FromMilliseconds(100), time.Period);
        using var short_ = new WriteDeadlines(TimeSpan.FromMilliseconds(200), time);
        Assert.Equal(TimeSpan.FromMilliseconds(10), time.Period);
    }

    /// <summary>A clock that moves only when told, firing its timers as it does.</summary>
    private sealed class SteppedTime : TimeProvider
    {
        private readonly List<(TimerCallback Callback, object? State)> _timers = [];
        private long _now;

        public TimeSpan Period { get; private set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Period = period;
            _timers.Add((callback, state));
            return new Timer();
        }

        public void Advance(TimeSpan by)
        {
            _now += by.Ticks;
            foreach (var (callback, state) in _timers)
            {
                callback(state);
            }
        }

        private sealed class Timer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
