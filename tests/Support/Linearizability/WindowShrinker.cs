namespace MultiRaft.Linearizability;

/// <summary>
/// Finds the minimal failing window of an illegal key by shrinking from both ends. A window is
/// checked soundly: operations still running at its end become unknown, operations begun before
/// its start become unknown and the start state is arbitrary. So a window that fails proves the
/// whole history fails, and any larger window fails too — which is what makes binary search on
/// each end valid.
/// </summary>
public static class WindowShrinker
{
    /// <summary>The minimal failing window of every Illegal key in <paramref name="result"/>.</summary>
    public static IReadOnlyList<FailingWindow> FindAll(
        IEnumerable<Operation> history, CheckResult result, CheckOptions? options = null) =>
        FindAll(new VersionedRegisterModel(), history, result, options);

    /// <summary>The minimal failing window of every Illegal key in <paramref name="result"/>.</summary>
    public static IReadOnlyList<FailingWindow> FindAll<TState>(
        IModel<TState> model, IEnumerable<Operation> history, CheckResult result, CheckOptions? options = null)
        where TState : IEquatable<TState>
    {
        ArgumentNullException.ThrowIfNull(result);
        var all = history.ToList();
        var windows = new List<FailingWindow>();
        foreach (var key in result.Keys.Where(k => k.Verdict == Verdict.Illegal))
        {
            var window = Find(model, all.Where(o => string.Equals(o.Key, key.Key, StringComparison.Ordinal)), options);
            if (window is not null)
                windows.Add(window);
        }

        return windows;
    }

    /// <summary>
    /// The minimal failing window of one key's operations, or null if the key is not found Illegal
    /// within the budget. Each window check gets the whole budget of <paramref name="options"/>; a
    /// check that runs out counts as "not shown to fail", which only makes the window larger.
    /// </summary>
    public static FailingWindow? Find<TState>(
        IModel<TState> model, IEnumerable<Operation> keyHistory, CheckOptions? options = null)
        where TState : IEquatable<TState>
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= CheckOptions.Default;
        var recorded = keyHistory.OrderBy(o => o.InvokeTime).ThenBy(o => o.Id).ToList();
        var checkable = LinearizabilityChecker.Prepare(recorded);
        if (checkable.Count == 0)
            return null;

        var key = checkable[0].Key;
        var first = checkable[0].InvokeTime;
        KeyResult CheckWindow(long start, long end) => LinearizabilityChecker.CheckKey(
            model, key, Cut(checkable, start, end), start <= first ? model.Initial : model.Arbitrary, options);

        var ends = checkable.Where(o => o.Outcome != Outcome.Unknown).Select(o => o.ReturnTime).Distinct().Order().ToList();
        if (ends.Count == 0 || CheckWindow(first, ends[^1]).Verdict != Verdict.Illegal)
            return null;

        var end = ends[FirstTrue(ends.Count, i => CheckWindow(first, ends[i]).Verdict == Verdict.Illegal)];
        var starts = checkable.Select(o => o.InvokeTime).Where(t => t <= end).Distinct().Order().ToList();
        // Later starts give smaller windows; find the last start that still fails.
        var start = starts[starts.Count - 1 - FirstTrue(starts.Count, i => CheckWindow(starts[^(i + 1)], end).Verdict == Verdict.Illegal)];

        var check = CheckWindow(start, end);
        var shown = recorded.Where(o => Overlaps(o, start, end)).ToList();
        return new FailingWindow(key, start, end, shown, check, start <= first);
    }

    /// <summary>The operations of a window, with those not wholly inside it made unknown.</summary>
    internal static List<Operation> Cut(IReadOnlyList<Operation> operations, long start, long end) =>
        LinearizabilityChecker.Prepare(operations
            .Where(o => o.Outcome != Outcome.Failed && Overlaps(o, start, end))
            .Select(o => o.InvokeTime < start || (o.Outcome == Outcome.Ok && o.ReturnTime > end)
                ? o with { Outcome = Outcome.Unknown }
                : o));

    private static bool Overlaps(Operation o, long start, long end) =>
        o.InvokeTime <= end && (o.Outcome == Outcome.Unknown || o.ReturnTime >= start);

    // The least index in [0, count) where a monotone predicate holds; count - 1 is known to hold.
    private static int FirstTrue(int count, Func<int, bool> holds)
    {
        int low = 0, high = count - 1;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (holds(mid))
                high = mid;
            else
                low = mid + 1;
        }

        return low;
    }
}
