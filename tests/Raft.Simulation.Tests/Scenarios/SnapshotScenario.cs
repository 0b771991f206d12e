using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests.Scenarios;

/// <summary>
/// TESTING.md scenario 10 (6.824 2D): the log stays bounded; a lagging follower catches up by
/// snapshot; every replica crashes twice and the commit index never goes back.
/// </summary>
public sealed class SnapshotScenario
{
    private const int SnapshotEvery = 20;

    [Fact]
    public void The_log_held_by_every_member_stays_bounded_under_steady_writes()
    {
        var c = new SimCluster(new SimOptions { Seed = 1, Nodes = 3, SnapshotEvery = SnapshotEvery });
        c.WaitForLeader();
        var maxHeld = 0;
        for (var i = 0; i < 200; i++)
        {
            c.ProposeAtLeader(5);
            var end = c.Now + 10;
            while (c.Now < end)
            {
                c.Step();
                maxHeld = Math.Max(maxHeld, c.Running.Max(n => n.Storage.Live.EntryCount));
            }
        }

        Assert.True(c.Checker.AcknowledgedIds.Count >= 900);

        // At most a snapshot interval plus what is in flight (a few batches of 5).
        Assert.InRange(maxHeld, 1, SnapshotEvery + 30);
        c.SettleAndAssertConverged();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_follower_that_missed_compacted_entries_catches_up_by_snapshot(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 3, SnapshotEvery = SnapshotEvery });
        var leader = c.WaitForLeader();
        var lagging = c.Running.First(n => n != leader);
        c.Net.Isolate(lagging.Id);
        for (var i = 0; i < 20; i++)
        {
            c.ProposeAtLeader(10);
            c.RunFor(20);
        }

        Assert.True(c.Leader!.Storage.Live.FirstIndex > lagging.Running.LastIndex + 1, "the leader compacted what the follower lacks");
        var installedBefore = c.Stats.SnapshotsInstalled;
        c.SettleAndAssertConverged();

        Assert.True(c.Net.Stats.Count(MessageType.Snapshot) >= 1);
        Assert.True(c.Stats.SnapshotsInstalled > installedBefore);
        Assert.True(lagging.Storage.DurableSnapshotIndex > 0);
        Assert.Equal(c.Checker.AcknowledgedIds, lagging.StateMachine.Ids);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_member_crashing_twice_never_moves_the_commit_index_back(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 3, SnapshotEvery = SnapshotEvery });
        c.WaitForLeader();
        for (var round = 0; round < 2; round++)
        {
            Assert.True(c.RunWithTraffic(() => c.Checker.AcknowledgedIds.Count >= 60 * (round + 1), 3_000));
            var commitBefore = c.Checker.GlobalCommit;
            var durableBefore = c.Nodes.Values.ToDictionary(n => n.Id, n => n.Storage.DurableCommit);

            foreach (var n in c.Nodes.Values)
            {
                // Each member dies at a different point of its next Ready (or at once).
                if (c.Rng.Next(3) == 0)
                {
                    c.Crash(n.Id);
                }
                else
                {
                    c.CrashAt(n.Id, (CrashPoint)c.Rng.Next(5));
                }
            }

            Assert.True(c.RunUntil(() => !c.Running.Any(), 1_000));
            foreach (var n in c.Nodes.Values)
            {
                c.Restart(n.Id);
                Assert.True(n.Running.Committed >= durableBefore[n.Id], $"member {n.Id} restarted behind its durable commit");
            }

            c.WaitForLeader();
            Assert.True(c.RunUntil(() => c.Leader is { } l && l.Running.Committed >= commitBefore, 2_000),
                $"the group's commit index went back from {commitBefore}");
        }

        c.SettleAndAssertConverged();
    }
}
