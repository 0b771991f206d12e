using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

/// <summary>A checker that runs out of budget must say so, never pass.</summary>
public sealed class BudgetTests
{
    // Many writes with unknown outcomes, then a read no order can explain: before it can call the
    // history illegal, the search must try every subset of the writes in every final position.
    private static HistoryBuilder Pathological()
    {
        var h = new HistoryBuilder();
        h.Put(0, 0, 1, "a", 1);
        for (var client = 1; client <= 30; client++)
            h.PutUnknown(client, 10 + client, $"w{client}");
        h.Get(99, 200, 201, "never-written", 7);
        return h;
    }

    [Fact]
    public void Pathological_history_is_illegal_given_the_budget_to_say_so()
    {
        var h = new HistoryBuilder();
        h.Put(0, 0, 1, "a", 1);
        for (var client = 1; client <= 6; client++)
            h.PutUnknown(client, 10 + client, $"w{client}");
        h.Get(99, 200, 201, "never-written", 7);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Step_budget_exhausted_gives_TimedOut_not_Ok()
    {
        var result = Pathological().Check(new CheckOptions { MaxStepsPerKey = 10_000 });

        Assert.Equal(Verdict.TimedOut, result.Verdict);
        Assert.False(result.IsLinearizable);
        Assert.Equal(10_001, Assert.Single(result.Keys).Steps);
    }

    [Fact]
    public void Cancelled_budget_gives_TimedOut_not_Ok()
    {
        using var budget = new CancellationTokenSource();
        budget.Cancel();

        var result = Pathological().Check(new CheckOptions { Cancellation = budget.Token });

        Assert.Equal(Verdict.TimedOut, result.Verdict);
        Assert.False(result.IsLinearizable);
    }

    [Fact]
    public void Illegal_key_outranks_a_timed_out_key()
    {
        var h = Pathological();
        h.Put(1, 0, 1, "a", 1, key: "y");
        h.Put(1, 2, 3, "b", 2, key: "y");
        h.Get(2, 4, 5, "a", 1, key: "y");

        var result = h.Check(new CheckOptions { MaxStepsPerKey = 1_000 });

        Assert.Equal(Verdict.Illegal, result.Verdict);
        Assert.Equal([("x", Verdict.TimedOut), ("y", Verdict.Illegal)], result.Keys.Select(k => (k.Key, k.Verdict)));
    }
}
