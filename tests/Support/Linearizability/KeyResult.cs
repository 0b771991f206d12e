namespace MultiRaft.Linearizability;

/// <summary>The verdict for one key and, when it is not Ok, where the search got stuck.</summary>
/// <param name="Key">The key.</param>
/// <param name="Verdict">Ok, Illegal or TimedOut (TimedOut is a failure).</param>
/// <param name="Operations">The operations checked: Failed ones and unanswered reads removed.</param>
/// <param name="LongestPrefix">The longest legal order found, first operation first.</param>
/// <param name="Failing">
/// For Illegal: the earliest-returning operation outside <paramref name="LongestPrefix"/>, the one
/// nothing could be placed before.
/// </param>
/// <param name="Involved">
/// For Illegal: the operations outside <paramref name="LongestPrefix"/> that were invoked before
/// <paramref name="Failing"/> returned — the candidates for the next place, none of which fit.
/// </param>
/// <param name="Steps">Search steps taken.</param>
public sealed record KeyResult(
    string Key,
    Verdict Verdict,
    IReadOnlyList<Operation> Operations,
    IReadOnlyList<Operation> LongestPrefix,
    Operation? Failing,
    IReadOnlyList<Operation> Involved,
    long Steps);
