using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Removing the leader: it steps down once the change applies, and the rest elect a successor and go on.</summary>
public class RemoveLeaderTests
{
    private const int Et = Nodes.ElectionTick;

    [Fact]
    public void RemovedLeaderStepsDownAndTheRestElectAndCommit()
    {
        var net = Network.WithLeader(3);

        Assert.Equal(ProposalResult.Accepted, net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.RemoveNode, 1)));
        net.Stabilize();
        Assert.Equal(RaftRole.Follower, net[1].Node.Role);
        Assert.All(new ulong[] { 2, 3 }, id => Assert.Equal([2UL, 3UL], net[id].LastConfState!.Voters));

        net.TickAll(2 * Et);

        var leader = net.Leader!;
        Assert.Contains(leader.Id, new ulong[] { 2, 3 });
        Assert.False(net[1].Raft.Promotable);
        Assert.Equal(ProposalResult.Accepted, net.Propose(leader.Id, "after"));
        Assert.Equal(["after"], net[2].AppliedCommands);
        Assert.Equal(["after"], net[3].AppliedCommands);
        Assert.Empty(net[1].AppliedCommands);
    }

    [Fact]
    public void LeaderRemovedThroughJointConfigurationLeadsUntilItIsLeft()
    {
        var net = Network.WithLeader(3, bootstrap: true);
        net.Add(Nodes.Empty(4));
        var cc = new ConfChange(ConfChangeTransition.JointImplicit,
            [new(ConfChangeType.AddVoter, 4), new(ConfChangeType.RemoveNode, 1)]);

        net[1].Node.ProposeConfChange(cc);
        net.Stabilize();

        Assert.Equal(RaftRole.Follower, net[1].Node.Role);
        Assert.Equal([2UL, 3UL, 4UL], net[2].LastConfState!.Voters);
        Assert.False(net[2].LastConfState!.IsJoint);
        net.TickAll(2 * Et);
        var leader = net.Leader!;
        Assert.Contains(leader.Id, new ulong[] { 2, 3, 4 });
        net.Propose(leader.Id, "after");
        Assert.All(new ulong[] { 2, 3, 4 }, id => Assert.Equal(["after"], net[id].AppliedCommands));
    }

    [Fact]
    public void LeaderDemotedToLearnerStepsDownButKeepsReceivingTheLog()
    {
        var net = Network.WithLeader(3);

        net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.AddLearner, 1));
        net.Stabilize();

        Assert.Equal(RaftRole.Follower, net[1].Node.Role);
        Assert.Equal([1UL], net[2].LastConfState!.Learners);
        net.TickAll(2 * Et);
        var leader = net.Leader!;
        Assert.NotEqual(1UL, leader.Id);
        net.Propose(leader.Id, "after");
        Assert.Equal(["after"], net[1].AppliedCommands);
        Assert.False(net[1].Raft.Promotable);
    }
}
