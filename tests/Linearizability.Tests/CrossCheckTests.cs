using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

/// <summary>The fast checker agrees with the definition on thousands of small random histories.</summary>
public sealed class CrossCheckTests
{
    private static readonly VersionedRegisterModel Model = new();

    [Theory]
    [InlineData(4, 2, 15)]
    [InlineData(3, 3, 25)]
    [InlineData(2, 5, 10)]
    public void Fast_checker_agrees_with_naive_search_on_small_histories(int clients, int operationsPerClient, int unknownPercent)
    {
        var random = new Random(1234);
        int legal = 0, illegal = 0;
        for (var seed = 0; seed < 3_000; seed++)
        {
            var history = SimulatedRegister.Generate(seed, clients, operationsPerClient, keys: 1, unknownPercent, failedPercent: 10);
            if (random.Next(3) > 0)
                history = Mutate(random, history);

            var expected = NaiveChecker.IsLinearizable(Model, history);
            var actual = LinearizabilityChecker.Check(Model, history).Verdict;

            Assert.True((expected ? Verdict.Ok : Verdict.Illegal) == actual,
                $"seed {seed}: naive says {(expected ? "Ok" : "Illegal")}, checker says {actual}\n{string.Join("\n", history)}");
            if (expected)
                legal++;
            else
                illegal++;
        }

        // Both kinds must be well represented, or the comparison proves little.
        Assert.True(legal > 500 && illegal > 500, $"legal {legal}, illegal {illegal}");
    }

    [Fact]
    public void Every_illegal_history_has_a_failing_window_that_is_itself_illegal()
    {
        var random = new Random(99);
        var found = 0;
        for (var seed = 0; seed < 300; seed++)
        {
            var history = Mutate(random, SimulatedRegister.Generate(seed, clients: 3, operationsPerClient: 4, keys: 1, unknownPercent: 10, failedPercent: 5));
            if (NaiveChecker.IsLinearizable(Model, history))
            {
                Assert.Null(WindowShrinker.Find(Model, history));
                continue;
            }

            var window = WindowShrinker.Find(Model, history);
            Assert.NotNull(window);
            Assert.Equal(Verdict.Illegal, window.Check.Verdict);
            Assert.NotNull(window.Failing);
            Assert.Contains(window.Failing, window.Check.Operations);
            found++;
        }

        Assert.True(found > 50, $"only {found} illegal histories");
    }

    // Changes one answered operation's output to something plausible but possibly wrong.
    private static List<Operation> Mutate(Random random, List<Operation> history)
    {
        var answered = history.Where(o => o.Outcome == Outcome.Ok).ToList();
        if (answered.Count == 0)
            return history;
        var victim = answered[random.Next(answered.Count)];
        var version = (long)random.Next(0, 5);
        var output = random.Next(4) switch
        {
            0 => KvOutput.NotFound,
            1 => KvOutput.Found(history[random.Next(history.Count)].Input.Value ?? "v0", version),
            2 => KvOutput.Written(version),
            _ => victim.Output with { Version = victim.Output.Version + random.Next(-1, 2) },
        };
        return [.. history.Select(o => o.Id == victim.Id ? o with { Output = output } : o)];
    }
}
