namespace MultiRaft.Client;

/// <summary>Retry delays of one call: the first delay doubling up to a cap, each with jitter in [d/2, d].</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max)
{
    private TimeSpan _next = initial;

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, max.Ticks));
        var half = delay.Ticks / 2;
        var jittered = TimeSpan.FromTicks(half + (long)(Random.Shared.NextDouble() * (delay.Ticks - half)));
        return Task.Delay(jittered, cancellationToken);
    }
}
