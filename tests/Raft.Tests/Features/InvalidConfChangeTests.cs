using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Changes that can never be valid are refused with InvalidConfChangeException and a message saying why.</summary>
public class InvalidConfChangeTests
{
    private static InvalidConfChangeException Refused(RawNode node, ConfChange cc)
    {
        var lastIndex = node.LastIndex;
        var ex = Assert.Throws<InvalidConfChangeException>(() => node.ProposeConfChange(cc));
        Assert.Equal(lastIndex, node.LastIndex);
        return ex;
    }

    [Fact]
    public void RemovingTheLastVoterIsRefused()
    {
        var net = Network.WithLeader(1);

        var ex = Refused(net[1].Node, ConfChange.Single(ConfChangeType.RemoveNode, 1));

        Assert.Equal("the change removes every voter", ex.Message);
    }

    [Fact]
    public void AddingAPresentVoterIsRefused()
    {
        var net = Network.WithLeader(3);

        var ex = Refused(net[1].Node, ConfChange.Single(ConfChangeType.AddVoter, 2));

        Assert.Equal("node 2 is already a voter", ex.Message);
    }

    [Fact]
    public void AddingAPresentLearnerIsRefused()
    {
        var net = Network.WithLeader(3, learners: [4]);

        var ex = Refused(net[1].Node, ConfChange.Single(ConfChangeType.AddLearner, 4));

        Assert.Equal("node 4 is already a learner", ex.Message);
    }

    [Fact]
    public void RemovingANonMemberIsRefused()
    {
        var net = Network.WithLeader(3);

        var ex = Refused(net[1].Node, ConfChange.Single(ConfChangeType.RemoveNode, 9));

        Assert.Equal("node 9 is not a member", ex.Message);
    }

    [Fact]
    public void NodeIdZeroIsRefused()
    {
        var net = Network.WithLeader(3);

        var ex = Refused(net[1].Node, ConfChange.Single(ConfChangeType.AddVoter, 0));

        Assert.Equal("node id 0 is not a valid member", ex.Message);
    }

    [Fact]
    public void ChangingTwoVotersWithoutJointConsensusIsRefusedByTheChanger()
    {
        var net = Network.WithLeader(3);
        var changer = new Changer(net[1].Raft.Tracker, net[1].Node.LastIndex);

        var ex = Assert.Throws<InvalidConfChangeException>(() =>
            changer.Simple([new(ConfChangeType.AddVoter, 4), new(ConfChangeType.AddVoter, 5)]));

        Assert.Equal("more than one voter changed; use a joint configuration", ex.Message);
    }
}
