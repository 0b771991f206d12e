using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

/// <summary>Large seeded histories from a simulated correct register, and the same with a planted fault.</summary>
public sealed class GeneratedHistoryTests
{
    // Generous and deterministic: a step count, not a clock.
    private static readonly CheckOptions Generous = new() { MaxStepsPerKey = 50_000_000 };

    [Fact]
    public void Five_clients_two_thousand_operations_each_on_five_keys_check_Ok()
    {
        var history = SimulatedRegister.Generate(seed: 42, clients: 5, operationsPerClient: 2_000, keys: 5);

        var result = LinearizabilityChecker.Check(history, Generous);

        Assert.Equal(10_000, history.Count);
        Assert.Contains(history, o => o.Outcome == Outcome.Unknown);
        Assert.Contains(history, o => o.Input.Kind == OperationKind.CompareAndSet && o.Outcome == Outcome.Ok && o.Output.Success);
        Assert.Contains(history, o => o.Input.Kind == OperationKind.CompareAndSet && o.Outcome == Outcome.Ok && !o.Output.Success);
        Assert.Equal(Verdict.Ok, result.Verdict);
        Assert.Equal(5, result.Keys.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Small_random_histories_check_Ok(int seed)
    {
        var history = SimulatedRegister.Generate(seed, clients: 4, operationsPerClient: 200, keys: 2);

        Assert.Equal(Verdict.Ok, LinearizabilityChecker.Check(history, Generous).Verdict);
    }

    [Fact]
    public void A_planted_stale_read_in_a_generated_history_is_found()
    {
        var history = SimulatedRegister.Generate(seed: 7, clients: 5, operationsPerClient: 400, keys: 3);
        var (stale, planted) = PlantStaleRead(history);

        var result = LinearizabilityChecker.Check(planted, Generous);

        Assert.Equal(Verdict.Illegal, result.Verdict);
        Assert.Equal(Verdict.Illegal, result.Keys.Single(k => k.Key == stale.Key).Verdict);
    }

    /// <summary>
    /// Rewrites one read that returned a value to return the value of a write that completed
    /// before an earlier completed write it must have seen — a stale read.
    /// </summary>
    internal static (Operation Stale, List<Operation> History) PlantStaleRead(List<Operation> history)
    {
        var puts = history.Where(o => o.Outcome == Outcome.Ok && o.Input.Kind == OperationKind.Put).ToList();
        foreach (var read in history.Where(o => o.Outcome == Outcome.Ok && o.Input.Kind == OperationKind.Get && o.Output.Success))
        {
            // An older write of the same key, separated from the read by another completed write.
            var newer = puts.LastOrDefault(p => p.Key == read.Key && p.ReturnTime < read.InvokeTime);
            var older = newer is null ? null : puts.LastOrDefault(p => p.Key == read.Key && p.ReturnTime < newer.InvokeTime);
            if (older is null || read.Output.Version <= older.Output.Version)
                continue;
            var stale = read with { Output = KvOutput.Found(older.Input.Value!, older.Output.Version) };
            return (stale, [.. history.Select(o => o.Id == read.Id ? stale : o)]);
        }

        throw new InvalidOperationException("No read to make stale.");
    }
}
