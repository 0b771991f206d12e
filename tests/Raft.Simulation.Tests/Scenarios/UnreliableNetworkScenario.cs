using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests.Scenarios;

/// <summary>
/// TESTING.md scenario 4 (6.824 labrpc): 10% loss each way, 0–26 ms delay, and long-delayed
/// messages (2% held back 1–2 s, so replies arrive long after they were sent) → the replicas
/// agree and the history is linearizable: every read served sees every write acknowledged before
/// the read was issued (checked by the harness for each read).
/// </summary>
public sealed class UnreliableNetworkScenario
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Lossy_delaying_reordering_network_keeps_agreement_and_linearizable_reads(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 5, MinDelayMs = 0, MaxDelayMs = 26 });
        c.Net.DropRate = 0.10;
        c.Net.DuplicateRate = 0.02;
        c.Net.LongDelayRate = 0.02;
        c.Net.LongDelayMs = 2_000;
        var rng = c.Rng;
        for (var t = 0; t < 10_000; t += 20)
        {
            var up = c.Running.ToList();
            var at = up[rng.Next(up.Count)];
            c.Propose(at.Id);
            if (rng.Next(2) == 0)
            {
                c.Read(up[rng.Next(up.Count)].Id);
            }

            c.RunFor(20);
        }

        Assert.True(c.Net.Stats.Dropped > 1_000, $"only {c.Net.Stats.Dropped} messages were dropped");
        c.SettleAndAssertConverged();
        Assert.True(c.Checker.AcknowledgedIds.Count > 200, $"only {c.Checker.AcknowledgedIds.Count} writes acknowledged");
        Assert.True(c.Checker.ReadsServed > 50, $"only {c.Checker.ReadsServed} reads served");
    }
}
