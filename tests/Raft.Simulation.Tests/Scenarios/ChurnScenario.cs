using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests.Scenarios;

/// <summary>
/// TESTING.md scenario 7 (6.824 Churn): members are disconnected, crashed (at any Ready phase)
/// and restarted at random while clients write → every committed value survives.
/// </summary>
public sealed class ChurnScenario
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_committed_write_survives_random_disconnects_crashes_and_restarts(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 5, SnapshotEvery = 25, MaxDelayMs = 10 });
        var rng = c.Rng;
        var disconnected = new List<ulong>();
        for (var t = 0; t < 20_000; t += 10)
        {
            var up = c.Running.ToList();
            if (up.Count > 0)
            {
                c.Propose(up[rng.Next(up.Count)].Id);
            }

            switch (rng.Next(100))
            {
                case 0:
                    var victim = rng.Next(1, 6);
                    if (rng.Next(2) == 0)
                    {
                        c.Crash((ulong)victim);
                    }
                    else
                    {
                        c.CrashAt((ulong)victim, (CrashPoint)rng.Next(5));
                    }

                    break;
                case 1:
                    c.Restart((ulong)rng.Next(1, 6));
                    break;
                case 2:
                    disconnected.Add((ulong)rng.Next(1, 6));
                    c.Net.Partition(disconnected.Distinct().ToList());
                    break;
                case 3:
                    disconnected.Clear();
                    c.Net.Heal();
                    break;
            }

            c.RunFor(10);
        }

        Assert.True(c.Stats.Crashes >= 5, $"only {c.Stats.Crashes} crashes");
        var acknowledged = c.Checker.AcknowledgedIds.ToList();
        c.SettleAndAssertConverged();
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} writes acknowledged");

        // Everything acknowledged during the churn is on every member, in the same order.
        Assert.All(c.Running, n => Assert.Equal(acknowledged, n.StateMachine.Ids.Take(acknowledged.Count)));
    }
}
