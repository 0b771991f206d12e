using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Learners: receive the log, never vote or campaign, never count toward commit; can be promoted.</summary>
public class LearnerTests
{
    private const int Et = Nodes.ElectionTick;

    private static Network GroupWithLearner4() => Network.WithLeader(3, learners: [4]);

    [Fact]
    public void LearnerReceivesAndAppliesEntries()
    {
        var net = GroupWithLearner4();

        net.Propose(1, "x");

        Assert.Equal(["x"], net[4].AppliedCommands);
        Assert.True(net[1].Raft.Tracker.Progress[4].IsLearner);
    }

    [Fact]
    public void LearnerNeverCampaigns()
    {
        var net = GroupWithLearner4();
        net.Isolate(4);

        net.Tick(4, 20 * Et);

        Assert.Equal(RaftRole.Follower, net[4].Node.Role);
        Assert.Equal(0, net.Count(MessageType.PreVote, from: 4) + net.Count(MessageType.Vote, from: 4));
    }

    [Fact]
    public void LearnerIsNotAskedForVotes()
    {
        var net = GroupWithLearner4();
        net.Isolate(1);

        net.TickAll(3 * Et);

        Assert.NotNull(net.Leader);
        Assert.NotEqual(1UL, net.Leader!.Id);
        Assert.Equal(0, net.Count(MessageType.PreVote, to: 4) + net.Count(MessageType.Vote, to: 4));
    }

    [Fact]
    public void LearnerDoesNotCountTowardCommit()
    {
        var net = GroupWithLearner4();
        net.Isolate(2);
        net.Isolate(3);
        var committed = net[1].Node.Committed;

        net.Propose(1, "x");

        Assert.Equal(net[1].Node.LastIndex, net[4].Node.LastIndex);
        Assert.Equal(committed, net[1].Node.Committed);
    }

    [Fact]
    public void PromotedLearnerCountsTowardCommit()
    {
        var net = GroupWithLearner4();
        net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.AddVoter, 4));
        net.Stabilize();
        Assert.Equal([1UL, 2UL, 3UL, 4UL], net[1].Node.GetStatus().Config.Voters);
        Assert.Empty(net[1].Node.GetStatus().Config.Learners);
        var committed = net[1].Node.Committed;

        // {1, 2, 4} is a majority of four voters only because 4 now counts.
        net.Isolate(3);
        net.Propose(1, "x");

        Assert.Equal(committed + 1, net[1].Node.Committed);
        Assert.True(net[4].Raft.Promotable);
    }
}
