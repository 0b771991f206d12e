namespace MultiRaft.Linearizability;

/// <summary>The verdict for a whole history: Illegal if any key is, else TimedOut if any key is, else Ok.</summary>
/// <param name="Verdict">The overall verdict. Only <see cref="Verdict.Ok"/> is a pass.</param>
/// <param name="Keys">Per key, in ordinal key order.</param>
public sealed record CheckResult(Verdict Verdict, IReadOnlyList<KeyResult> Keys)
{
    /// <summary>True only for Ok: a timed-out check has proven nothing and is a failure.</summary>
    public bool IsLinearizable => Verdict == Verdict.Ok;

    /// <summary>The keys that did not check Ok.</summary>
    public IEnumerable<KeyResult> Failures => Keys.Where(k => k.Verdict != Verdict.Ok);
}
