using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Joint consensus: entering and leaving (automatically or explicitly), one pending change at a time.</summary>
public class JointConsensusTests
{
    private static Network GroupWithJoiner4()
    {
        var net = Network.WithLeader(3, bootstrap: true);
        net.Add(Nodes.Empty(4));
        return net;
    }

    private static ConfChange Replace3With4(ConfChangeTransition t) =>
        new(t, [new(ConfChangeType.AddVoter, 4), new(ConfChangeType.RemoveNode, 3)]);

    private static int ConfEntriesApplied(Member m) => m.Applied.Count(e => e.Type == EntryType.ConfChange);

    [Theory]
    [InlineData(ConfChangeTransition.Auto)]
    [InlineData(ConfChangeTransition.JointImplicit)]
    public void JointConfigurationIsEnteredAndLeftAutomatically(ConfChangeTransition transition)
    {
        var net = GroupWithJoiner4();

        Assert.Equal(ProposalResult.Accepted, net[1].Node.ProposeConfChange(Replace3With4(transition)));
        net.Stabilize();

        var cs = net[1].Node.GetStatus().Config;
        Assert.Equal([1UL, 2UL, 4UL], cs.Voters);
        Assert.False(cs.IsJoint);
        Assert.Equal(2, ConfEntriesApplied(net[1]));
        Assert.Equal(cs, net[4].LastConfState);
        Assert.Equal(cs, net[2].LastConfState);
    }

    [Fact]
    public void ExplicitJointConfigurationStaysUntilLeft()
    {
        var net = GroupWithJoiner4();
        net[1].Node.ProposeConfChange(Replace3With4(ConfChangeTransition.JointExplicit));
        net.Stabilize();
        net.TickAll(3 * Nodes.ElectionTick);
        Assert.True(net[1].Node.GetStatus().Config.IsJoint);
        Assert.Equal(1, ConfEntriesApplied(net[1]));

        Assert.Equal(ProposalResult.Accepted, net[1].Node.ProposeConfChange(ConfChange.LeaveJoint));
        net.Stabilize();

        var cs = net[1].Node.GetStatus().Config;
        Assert.Equal([1UL, 2UL, 4UL], cs.Voters);
        Assert.False(cs.IsJoint);
    }

    [Fact]
    public void SecondChangeWaitsUntilTheFirstIsApplied()
    {
        var net = Network.WithLeader(3);

        Assert.Equal(ProposalResult.Accepted, net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.AddLearner, 4)));
        Assert.Equal(ProposalResult.ConfChangePending, net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.AddLearner, 5)));
        net.Stabilize();

        Assert.Equal(ProposalResult.Accepted, net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.AddLearner, 5)));
        net.Stabilize();
        Assert.Equal([4UL, 5UL], net[1].Node.GetStatus().Config.Learners);
    }

    [Fact]
    public void LeavingWhenNotJointIsAJointStateMismatch()
    {
        var net = Network.WithLeader(3);

        Assert.Equal(ProposalResult.JointStateMismatch, net[1].Node.ProposeConfChange(ConfChange.LeaveJoint));
    }

    [Fact]
    public void ChangingWhileJointIsAJointStateMismatch()
    {
        var net = GroupWithJoiner4();
        net[1].Node.ProposeConfChange(Replace3With4(ConfChangeTransition.JointExplicit));
        net.Stabilize();

        Assert.Equal(ProposalResult.JointStateMismatch,
            net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.AddLearner, 5)));
    }

    [Fact]
    public void JointConfigurationEnteredUnderOneLeaderIsLeftByTheNext()
    {
        var net = GroupWithJoiner4();

        // The change reaches the followers' logs, but the leader never learns it is stored.
        net.Drop(MessageType.AppendResponse);
        net[1].Node.ProposeConfChange(Replace3With4(ConfChangeTransition.JointImplicit));
        net.Stabilize();
        net.Heal();
        net[1].Node.TransferLeader(2);
        net.TickAll(5 * Nodes.ElectionTick);

        var leader = net.Leader!;
        Assert.NotEqual(1UL, leader.Id);
        var cs = leader.Node.GetStatus().Config;
        Assert.False(cs.IsJoint);
        Assert.Equal([1UL, 2UL, 4UL], cs.Voters);
    }
}
