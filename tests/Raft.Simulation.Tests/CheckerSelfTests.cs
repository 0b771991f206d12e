using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests;

/// <summary>
/// The checker must be able to fail: with a disk that ignores fsync, crashes lose votes and
/// acknowledged entries, and the invariants break. If this test passes no run, the harness
/// would pass anything.
/// </summary>
public sealed class CheckerSelfTests
{
    [Fact]
    public void A_disk_that_ignores_fsync_is_caught_by_the_invariant_checker()
    {
        var caught = new List<string>();
        for (var seed = 1; seed <= 20; seed++)
        {
            var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 3, DiskIgnoresFsync = true });
            try
            {
                for (var round = 0; round < 50; round++)
                {
                    c.ProposeAtLeader(3);
                    c.RunFor(c.Rng.Next(5, 300));
                    var victim = (ulong)c.Rng.Next(1, 4);
                    c.CrashAt(victim, (CrashPoint)c.Rng.Next(5));
                    c.RunFor(c.Rng.Next(5, 100));
                    c.Restart(victim);
                }

                c.SettleAndAssertConverged();
            }
            catch (Exception e) when (e is SimulationFailure or RaftException)
            {
                caught.Add(e.Message);
            }
        }

        Assert.True(caught.Count >= 5, $"only {caught.Count} of 20 runs on a lying disk were caught");
        Assert.Contains(caught, m => m.StartsWith("invariant violated", StringComparison.Ordinal));
    }
}
