using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Proposals without a leader fail explicitly (never silently); followers forward unless told not to.</summary>
public class ProposalRoutingTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    [Fact]
    public void ProposalWithoutLeaderReturnsNoLeaderAndLeavesNoTrace()
    {
        var m = Nodes.New(1, Three);

        Assert.Equal(ProposalResult.NoLeader, m.Node.Propose(Nodes.Bytes("x")));
        Assert.Equal(ProposalResult.NoLeader, m.Node.ReadIndex(1));
        Assert.Equal(ProposalResult.NoLeader, m.Node.TransferLeader(2));
        Assert.False(m.Node.HasReady);
    }

    [Fact]
    public void ProposalToCandidateReturnsNoLeader()
    {
        var m = Nodes.New(1, Three);
        m.Node.Campaign();

        Assert.Equal(RaftRole.PreCandidate, m.Node.Role);
        Assert.Equal(ProposalResult.NoLeader, m.Node.Propose(Nodes.Bytes("x")));
        Assert.Equal(0UL, m.Node.LastIndex);
    }

    [Fact]
    public void FollowerForwardsProposalToLeader()
    {
        var net = Network.WithLeader(3);

        Assert.Equal(ProposalResult.Accepted, net.Propose(2, "x"));

        Assert.Equal(1, net.Count(MessageType.Propose, 2, 1));
        Assert.All(net.Members, m => Assert.Equal(["x"], m.AppliedCommands));
    }

    [Fact]
    public void FollowerWithForwardingDisabledRefuses()
    {
        var net = Network.WithLeader(3, c => c.DisableProposalForwarding = true);

        Assert.Equal(ProposalResult.ForwardingDisabled, net.Propose(2, "x"));

        Assert.Equal(0, net.Count(MessageType.Propose));
        Assert.All(net.Members, m => Assert.Empty(m.AppliedCommands));
    }
}
