using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

/// <summary>
/// Linearizability by its definition, with nothing clever: try every order that respects real
/// time, with no memo, no event list and no undo. Exponential; only for cross-checking the real
/// checker on small histories.
/// </summary>
internal static class NaiveChecker
{
    public static bool IsLinearizable(IModel<RegisterState> model, IReadOnlyList<Operation> history)
    {
        var ops = history.Where(o => o.Outcome != Outcome.Failed).ToList();
        return Search(model, ops, new bool[ops.Count], model.Initial);
    }

    private static bool Search(IModel<RegisterState> model, List<Operation> ops, bool[] placed, RegisterState state)
    {
        // Done once every answered operation is placed: unknown ones may go last, unseen.
        var pending = Enumerable.Range(0, ops.Count).Where(i => !placed[i]).ToList();
        var answered = pending.Where(i => ops[i].Outcome == Outcome.Ok).ToList();
        if (answered.Count == 0)
            return true;

        // An operation may go next only if nothing still unplaced returned before it was invoked.
        var earliestReturn = answered.Min(i => ops[i].ReturnTime);
        foreach (var i in pending.Where(i => ops[i].InvokeTime <= earliestReturn))
        {
            var next = new List<RegisterState>();
            model.Step(state, ops[i], next);
            placed[i] = true;
            foreach (var successor in next)
            {
                if (Search(model, ops, placed, successor))
                    return true;
            }

            placed[i] = false;
        }

        return false;
    }
}
