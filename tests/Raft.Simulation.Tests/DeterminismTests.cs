using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests;

/// <summary>Same seed, same run: what makes a printed seed a faithful replay.</summary>
public sealed class DeterminismTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(444)]
    public void A_seed_replays_the_same_run_event_for_event(int seed)
    {
        var a = Fingerprint(seed);
        var b = Fingerprint(seed);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Different_seeds_make_different_runs()
    {
        Assert.NotEqual(Fingerprint(1), Fingerprint(2));
    }

    private static string Fingerprint(int seed)
    {
        var run = new RandomRun(seed, 2_000);
        run.Execute();
        var c = run.Cluster;
        var ids = c.Checker.AcknowledgedIds;
        ulong digest = 0;
        foreach (var id in ids)
        {
            digest = StateMachine.Mix(digest, id);
        }

        return $"{c.Steps} {c.Now} {c.Net.Stats.Messages} {c.Net.Stats.Dropped} {c.Checker.GlobalCommit} {ids.Count} {digest:x} "
            + $"{c.Checker.LeadersElected} {c.Stats.Crashes} {c.Checker.ReadsServed}";
    }
}
