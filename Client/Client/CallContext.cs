namespace MultiRaft.Client;

/// <summary>
/// One public call's budget and retry state: the deadline (the whole
/// <see cref="MultiRaftClientOptions.RequestTimeout"/>), the backoff, the silos that failed it,
/// and, for a write, whether any attempt may have reached a leader.
/// </summary>
internal sealed class CallContext : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly DateTime _deadlineUtc;

    public CallContext(MultiRaftClientOptions options, bool isWrite, CancellationToken cancellationToken)
    {
        IsWrite = isWrite;
        CallerToken = cancellationToken;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _deadline.CancelAfter(options.RequestTimeout);
        _deadlineUtc = DateTime.UtcNow + options.RequestTimeout;
        Backoff = new Backoff(options.InitialRetryDelay, options.MaxRetryDelay);
    }

    public bool IsWrite { get; }

    public CancellationToken CallerToken { get; }

    public CancellationToken Token => _deadline.Token;

    public Backoff Backoff { get; }

    /// <summary>Silos that failed this call (unreachable or unavailable): tried last.</summary>
    public HashSet<string> Avoid { get; } = new(StringComparer.Ordinal);

    /// <summary>A write attempt may have reached a leader: the call can no longer report "not applied".</summary>
    public bool MayHaveApplied { get; set; }

    /// <summary>The last retryable failure, for the timeout's message.</summary>
    public string? LastError { get; set; }

    /// <summary>Milliseconds left, for the request's timeout_ms (at least 1).</summary>
    public uint RemainingMs => (uint)Math.Clamp((_deadlineUtc - DateTime.UtcNow).TotalMilliseconds, 1, uint.MaxValue);

    /// <summary>True when the deadline (not the caller) ended the call.</summary>
    public bool TimedOut => _deadline.IsCancellationRequested && !CallerToken.IsCancellationRequested;

    /// <summary>What the call throws when its deadline passes.</summary>
    public MultiRaftException Timeout(string what)
    {
        var detail = LastError is null ? "" : $" Last error: {LastError}";
        return IsWrite && MayHaveApplied
            ? new OutcomeUnknownException($"{what}: no final answer within the request timeout; the write may or may not have applied.{detail}")
            : new UnavailableException($"{what}: no answer within the request timeout.{detail}");
    }

    public void Dispose() => _deadline.Dispose();
}
