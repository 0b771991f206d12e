using System.Diagnostics;
using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests;

/// <summary>
/// Randomized runs (TESTING.md, level 1): 500 seeds in CI. <c>MULTIRAFT_SEED=n</c> replays one
/// seed exactly; <c>MULTIRAFT_SOAK=n</c> runs n seeds (from 1) through the same code path.
/// </summary>
public sealed class RandomizedRuns
{
    private const int CiSeeds = 500;
    internal const int StepsPerRun = 4_000;
    private const string Replay = "dotnet test tests/Raft.Simulation.Tests -c Release --filter RandomizedRuns";

    [Fact]
    public void Every_seed_keeps_the_invariants_and_converges_with_every_acknowledged_write()
    {
        var seeds = Seeds();
        var failures = new List<string>();
        var sw = Stopwatch.StartNew();
        var total = new RunStats();
        foreach (var seed in seeds)
        {
            var run = new RandomRun(seed, StepsPerRun);
            try
            {
                run.Execute();
            }
            catch (Exception e)
            {
                // Any exception (an invariant, the core's own checks, a crash of the harness) is
                // a failure of this seed; the others still run, and the report names them all.
                failures.Add($"seed {seed} failed after {run.Cluster.Steps} steps (replay: MULTIRAFT_SEED={seed} {Replay}):\n{e}");
            }

            total.Add(run.Cluster);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{seeds.Count} seeds in {sw.Elapsed.TotalSeconds:F1} s: {total}");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {seeds.Count} seeds failed: {string.Join(", ", failures.Select(f => f.Split(' ')[1]))}\n\n"
            + string.Join("\n\n", failures.Take(5)));
    }

    private static List<int> Seeds()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("MULTIRAFT_SEED"), out var one))
        {
            return [one];
        }

        var count = int.TryParse(Environment.GetEnvironmentVariable("MULTIRAFT_SOAK"), out var soak) && soak > 0 ? soak : CiSeeds;

        // A soak can start past the seeds CI and earlier soaks already ran.
        var from = int.TryParse(Environment.GetEnvironmentVariable("MULTIRAFT_SOAK_FROM"), out var f) && f > 0 ? f : 1;
        return Enumerable.Range(from, count).ToList();
    }
}
