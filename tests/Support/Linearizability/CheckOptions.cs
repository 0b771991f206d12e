namespace MultiRaft.Linearizability;

/// <summary>The checker's budget. Running out of either gives <see cref="Verdict.TimedOut"/>.</summary>
public sealed record CheckOptions
{
    /// <summary>Default: no step limit, no cancellation.</summary>
    public static CheckOptions Default { get; } = new();

    /// <summary>
    /// Wall-clock budget: cancel it (for example <c>new CancellationTokenSource(TimeSpan)</c>) to
    /// stop the search. A token already cancelled gives TimedOut without searching.
    /// </summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Deterministic budget: search steps allowed per key (each step tries one operation).</summary>
    public long MaxStepsPerKey { get; init; } = long.MaxValue;
}
