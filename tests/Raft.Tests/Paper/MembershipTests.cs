using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Paper;

/// <summary>Raft paper §6: membership changes, here by joint consensus and by single-voter changes.</summary>
public class MembershipTests
{
    [Fact]
    public void JointConsensusNeedsMajoritiesOfBothConfigurations_6()
    {
        var net = Network.WithLeader(3, bootstrap: true);
        net.Add(Nodes.Empty(4));
        var cc = new ConfChange(ConfChangeTransition.JointExplicit,
            [new(ConfChangeType.AddVoter, 4), new(ConfChangeType.RemoveNode, 3)]);
        Assert.Equal(ProposalResult.Accepted, net[1].Node.ProposeConfChange(cc));
        net.Stabilize();
        var joint = net[1].Node.GetStatus().Config;
        Assert.Equal([1UL, 2UL, 4UL], joint.Voters);
        Assert.Equal([1UL, 2UL, 3UL], joint.VotersOutgoing);
        var committed = net[1].Node.Committed;

        // New majority only (1 of {1,2,4}) fails even though the old one ({1,3} of {1,2,3}) holds.
        net.Isolate(2);
        net.Isolate(4);
        net.Propose(1, "x");
        Assert.Equal(committed, net[1].Node.Committed);

        // Both majorities: {1,4} of {1,2,4} and {1,3} of {1,2,3}.
        net.Heal();
        net.Isolate(2);
        net.TickAll(1);
        Assert.Equal(committed + 1, net[1].Node.Committed);
    }

    [Fact]
    public void NewVoterCountsTowardQuorumOnceItsChangeIsApplied_6()
    {
        var net = Network.WithLeader(3, bootstrap: true);
        net.Add(Nodes.Empty(4));
        net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.AddVoter, 4));
        net.Stabilize();
        Assert.Equal([1UL, 2UL, 3UL, 4UL], net[1].Node.GetStatus().Config.Voters);
        var committed = net[1].Node.Committed;

        // Two of four is no longer a majority.
        net.Isolate(3);
        net.Isolate(4);
        net.Propose(1, "x");
        Assert.Equal(committed, net[1].Node.Committed);

        net.Heal();
        net.Isolate(3);
        net.TickAll(1);
        Assert.Equal(committed + 1, net[1].Node.Committed);
        Assert.Equal(["x"], net[4].AppliedCommands);
    }

    [Fact]
    public void LeaderRemovedFromConfigurationStepsDownAndOthersContinue_6()
    {
        var net = Network.WithLeader(3);

        net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.RemoveNode, 1));
        net.Stabilize();

        Assert.Equal(RaftRole.Follower, net[1].Node.Role);
        net.TickAll(2 * Nodes.ElectionTick);
        var leader = net.Leader!;
        Assert.NotEqual(1UL, leader.Id);
        Assert.Equal(ProposalResult.Accepted, net.Propose(leader.Id, "after"));
        Assert.Equal(["after"], net[2].AppliedCommands);
        Assert.Equal(["after"], net[3].AppliedCommands);
    }

    [Fact]
    public void RemovedMemberThatMissedItsRemovalCannotDisruptTheGroup_6()
    {
        var net = Network.WithLeader(3);
        net.Isolate(3);
        net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.RemoveNode, 3));
        net.Stabilize();
        Assert.Equal([1UL, 2UL], net[1].Node.GetStatus().Config.Voters);
        var term = net[1].Node.Term;

        net.Heal();
        net.TickAll(10 * Nodes.ElectionTick);

        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
        Assert.Equal(term, net[1].Node.Term);
        Assert.Equal(term, net[2].Node.Term);
    }
}
