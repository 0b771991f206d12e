using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests.Scenarios;

/// <summary>
/// TESTING.md scenario 2 (6.824 2B): no commit without a majority; a healed old leader's
/// uncommitted tail is overwritten.
/// </summary>
public sealed class NoCommitWithoutMajorityScenario
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_leader_cut_off_from_three_of_five_commits_nothing(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 5 });
        var leader = c.WaitForLeader();
        c.RunFor(100);
        var committed = leader.Running.Committed;
        var acknowledged = c.Checker.AcknowledgedIds.Count;
        var follower = c.Running.First(n => n != leader);
        c.Net.Partition([leader.Id, follower.Id]);

        var proposed = Enumerable.Range(0, 5).Select(_ => c.Propose(leader.Id)).ToList();
        Assert.All(proposed, p => Assert.Equal(ProposalResult.Accepted, p.Result));
        c.RunFor(3_000);

        Assert.Equal(committed, leader.Running.Committed);
        Assert.Equal(committed, follower.Running.Committed);
        Assert.Equal(acknowledged, c.Checker.AcknowledgedIds.Count);
        Assert.True(follower.Running.LastIndex >= committed + 5, "the minority follower received the uncommitted entries");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_healed_old_leaders_uncommitted_tail_is_overwritten(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 3 });
        var old = c.WaitForLeader();
        c.Net.Isolate(old.Id);
        var lost = Enumerable.Range(0, 10).Select(_ => c.Propose(old.Id).Id).ToList();
        var oldLast = old.Running.LastIndex;

        Assert.True(c.RunUntil(() => c.Leader is { } l && l != old, 2_000));
        var next = c.Leader!;
        var kept = Enumerable.Range(0, 10).Select(_ => c.Propose(next.Id).Id).ToList();
        Assert.True(c.RunUntil(() => kept.All(c.Checker.IsAcknowledged), 1_000));
        Assert.True(old.Running.LastIndex >= oldLast, "the isolated leader still holds its tail");

        c.SettleAndAssertConverged();
        Assert.DoesNotContain(lost, c.Checker.IsAcknowledged);
        Assert.Equal(next.Running.LastIndex, old.Running.LastIndex);
        Assert.Equal(c.Checker.AcknowledgedIds, old.StateMachine.Ids);
    }
}
