namespace MultiRaft.Linearizability;

/// <summary>
/// Wing–Gong's search with Lowe's memoisation, in the shape porcupine gives it: walk the event
/// list; at a call, try to apply that operation to the model and, if the answer is possible and
/// the (linearized set, state) pair is new, lift it out and start again from the head; at a return,
/// the operation that returned cannot be passed, so undo the last choice and try the next one.
/// Each level tries answered reads first, then answered writes, then Unknown operations: a read
/// that fits now is never a wrong choice, a write placed too early is, and an Unknown write can go
/// almost anywhere, so trying it first would explore subsets of pending Unknown writes before the
/// order the answers point to. Every candidate is still tried, so the verdict is the same.
/// </summary>
internal static class LinearizationSearch
{
    // Checking the token costs a volatile read; every so many steps is often enough.
    private const long CancellationCheckInterval = 256;

    /// <summary>
    /// Searches for a legal order of <paramref name="operations"/> starting from
    /// <paramref name="initial"/>. Operations must not be Failed; Unknown ones need not be placed.
    /// </summary>
    public static SearchOutcome Run<TState>(
        IModel<TState> model, IReadOnlyList<Operation> operations, TState initial, CheckOptions options)
        where TState : IEquatable<TState>
    {
        if (options.Cancellation.IsCancellationRequested)
            return new SearchOutcome(Verdict.TimedOut, [], 0);

        var list = EventList.Build(operations);
        var linearized = new LinearizedSet(operations.Count);
        var cache = new VisitedCache<TState>();
        var stack = new List<Frame<TState>>();
        var successors = new List<TState>();
        var state = initial;

        // Unknown operations can always go last, where nobody observes them, so the search is
        // done once every operation that returned has been placed.
        var unplaced = operations.Count(o => o.Outcome != Outcome.Unknown);
        var best = new List<int>();
        long steps = 0;
        var entry = list.Head.Next;
        var pass = Pass.Reads;

        while (unplaced > 0)
        {
            steps++;
            if (steps > options.MaxStepsPerKey
                || (steps % CancellationCheckInterval == 0 && options.Cancellation.IsCancellationRequested))
                return new SearchOutcome(Verdict.TimedOut, best, steps);

            if (entry is null || !entry.IsCall)
            {
                // An operation that has returned cannot be put after anything that follows it.
                if (pass != Pass.Unknown)
                {
                    pass++;
                    entry = list.Head.Next;
                }
                else if (!Backtrack(stack, linearized, cache, list, operations, ref state, ref unplaced, out entry, out pass))
                {
                    return new SearchOutcome(Verdict.Illegal, best, steps);
                }

                continue;
            }

            var operation = operations[entry.Op];
            if (PassOf(operation) != pass)
            {
                entry = entry.Next;
                continue;
            }
            successors.Clear();
            model.Step(state, operation, successors);
            linearized.Toggle(entry.Op);
            var placed = false;
            for (var i = 0; i < successors.Count; i++)
            {
                if (!cache.Add(linearized, successors[i]))
                    continue;
                var rest = i + 1 < successors.Count ? successors.GetRange(i + 1, successors.Count - i - 1) : null;
                // An answered operation that leaves the state as it is can be moved to the front of
                // any legal order from here (see Backtrack). Not an Unknown one: placed later, it
                // might take effect where here it could not.
                var safe = operation.Outcome != Outcome.Unknown && successors.Count == 1 && successors[0].Equals(state);
                stack.Add(new Frame<TState>(entry, pass, state, rest, safe));
                state = successors[i];
                EventList.Lift(entry);
                if (operation.Outcome != Outcome.Unknown)
                    unplaced--;
                placed = true;
                break;
            }

            if (placed)
            {
                if (stack.Count > best.Count)
                {
                    best.Clear();
                    foreach (var frame in stack)
                        best.Add(frame.Call.Op);
                }

                entry = list.Head.Next;
                pass = Pass.Reads;
            }
            else
            {
                linearized.Toggle(entry.Op);
                entry = entry.Next;
            }
        }

        return new SearchOutcome(Verdict.Ok, best, steps);
    }

    // Revisits the last choice: moves it to another state the same operation could have led to if
    // one is untried, else undoes it so that the search goes on with the next call after it.
    private static bool Backtrack<TState>(
        List<Frame<TState>> stack,
        LinearizedSet linearized,
        VisitedCache<TState> cache,
        EventList list,
        IReadOnlyList<Operation> operations,
        ref TState state,
        ref int unplaced,
        out EventList.Node? entry,
        out Pass pass)
        where TState : IEquatable<TState>
    {
        if (stack.Count == 0)
        {
            entry = null;
            pass = Pass.Reads;
            return false;
        }

        while (true)
        {
            var frame = stack[^1];
            while (frame.Alternatives is { Count: > 0 } alternatives)
            {
                var alternative = alternatives[0];
                alternatives.RemoveAt(0);
                if (cache.Add(linearized, alternative))
                {
                    state = alternative;
                    entry = list.Head.Next;
                    pass = Pass.Reads;
                    return true;
                }
            }

            stack.RemoveAt(stack.Count - 1);
            EventList.Unlift(frame.Call);
            linearized.Toggle(frame.Call.Op);
            if (operations[frame.Call.Op].Outcome != Outcome.Unknown)
                unplaced++;
            state = frame.Before;

            // An operation that left the state as it was could have gone first in any legal order
            // from here, so if nothing legal follows it, nothing legal follows its siblings either:
            // skip them and revisit the choice before. This keeps many concurrent reads of one
            // state from costing a subset each.
            if (frame.Safe && stack.Count > 0)
                continue;
            if (frame.Safe)
            {
                entry = null;
                pass = Pass.Reads;
                return false;
            }

            entry = frame.Call.Next;
            pass = frame.Pass;
            return true;
        }
    }

    private static Pass PassOf(Operation operation) =>
        operation.Outcome == Outcome.Unknown ? Pass.Unknown
        : operation.Input.IsWrite ? Pass.Writes
        : Pass.Reads;

    private enum Pass
    {
        Reads,
        Writes,
        Unknown,
    }

    private readonly record struct Frame<TState>(
        EventList.Node Call, Pass Pass, TState Before, List<TState>? Alternatives, bool Safe);
}
