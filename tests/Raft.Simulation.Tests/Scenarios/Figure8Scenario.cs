using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests.Scenarios;

/// <summary>
/// TESTING.md scenario 3 (Raft paper §5.4.2 figure 8, 6.824 Figure8): crash the leader right
/// after it proposes, at every phase of its Ready, many times → never two different entries at
/// one index (the checker verifies every apply against every other replica's).
/// </summary>
public sealed class Figure8Scenario
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Crashing_the_leader_right_after_proposing_never_applies_two_entries_at_one_index(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 5, MaxDelayMs = 5 });
        var rng = c.Rng;
        var leaderCrashes = 0;
        for (var round = 0; round < 300; round++)
        {
            if (c.Leader is { } l)
            {
                c.Propose(l.Id);

                // Crash it while its proposal is in its next Ready: before or after the entry is
                // durable, before or after its persisted messages left.
                c.CrashAt(l.Id, (CrashPoint)rng.Next(5));
                leaderCrashes++;
            }

            c.RunFor(rng.Next(3) == 0 ? rng.Next(100, 500) : rng.Next(1, 20));
            if (c.Running.Count() < 3)
            {
                var down = c.Nodes.Values.Where(n => !n.IsUp).ToList();
                c.Restart(down[rng.Next(down.Count)].Id);
            }
        }

        Assert.True(leaderCrashes > 50, $"only {leaderCrashes} leaders crashed");
        c.SettleAndAssertConverged();
        Assert.NotEmpty(c.Checker.AcknowledgedIds);
    }
}
