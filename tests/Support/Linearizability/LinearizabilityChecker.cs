namespace MultiRaft.Linearizability;

/// <summary>
/// Checks a history for linearizability, one key at a time (a history is linearizable iff each
/// key's sub-history is, since keys are independent objects). A verdict of
/// <see cref="Verdict.TimedOut"/> means the budget ran out: callers must count it as a failure.
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>Checks a key-value history against <see cref="VersionedRegisterModel"/>.</summary>
    public static CheckResult Check(IEnumerable<Operation> history, CheckOptions? options = null) =>
        Check(new VersionedRegisterModel(), history, options);

    /// <summary>Checks a history against <paramref name="model"/>, key by key.</summary>
    public static CheckResult Check<TState>(
        IModel<TState> model, IEnumerable<Operation> history, CheckOptions? options = null)
        where TState : IEquatable<TState>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        options ??= CheckOptions.Default;
        var results = new List<KeyResult>();
        foreach (var group in history.GroupBy(o => o.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            results.Add(CheckKey(model, group.Key, Prepare(group), model.Initial, options));

        var verdict = results.Any(r => r.Verdict == Verdict.Illegal) ? Verdict.Illegal
            : results.Any(r => r.Verdict == Verdict.TimedOut) ? Verdict.TimedOut
            : Verdict.Ok;
        return new CheckResult(verdict, results);
    }

    /// <summary>
    /// Removes what cannot matter: Failed operations never took effect, and a read with no answer
    /// observed nothing. Orders by invoke time then id, so results do not depend on input order.
    /// </summary>
    internal static List<Operation> Prepare(IEnumerable<Operation> operations) =>
        [.. operations
            .Where(o => o.Outcome != Outcome.Failed)
            .Where(o => !(o.Outcome == Outcome.Unknown && o.Input.Kind == OperationKind.Get))
            .OrderBy(o => o.InvokeTime)
            .ThenBy(o => o.Id)];

    internal static KeyResult CheckKey<TState>(
        IModel<TState> model, string key, List<Operation> operations, TState initial, CheckOptions options)
        where TState : IEquatable<TState>
    {
        var outcome = LinearizationSearch.Run(model, operations, initial, options);
        var prefix = outcome.LongestPrefix.Select(i => operations[i]).ToList();
        if (outcome.Verdict == Verdict.Ok)
            return new KeyResult(key, Verdict.Ok, operations, prefix, null, [], outcome.Steps);

        var placed = new HashSet<int>(outcome.LongestPrefix);
        var rest = Enumerable.Range(0, operations.Count).Where(i => !placed.Contains(i)).Select(i => operations[i]).ToList();
        var failing = rest.Where(o => o.Outcome != Outcome.Unknown).MinBy(o => (o.ReturnTime, o.Id));
        var involved = failing is null ? [] : rest.Where(o => o.InvokeTime <= failing.ReturnTime).ToList();
        return new KeyResult(key, outcome.Verdict, operations, prefix, failing, involved, outcome.Steps);
    }
}
