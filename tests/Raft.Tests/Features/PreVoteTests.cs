using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>PreVote: a member cut off from the group cannot raise its term, so it cannot depose the leader when it returns.</summary>
public class PreVoteTests
{
    private const int Et = Nodes.ElectionTick;

    [Fact]
    public void PartitionedMemberRejoiningKeepsTermAndLeader()
    {
        var net = Network.WithLeader(3);
        var term = net[1].Node.Term;
        net.Isolate(3);

        net.TickAll(10 * Et);
        Assert.Equal(term, net[3].Node.Term);
        Assert.True(net.Count(MessageType.PreVote, from: 3) > 0);
        Assert.Equal(0, net.Count(MessageType.Vote, from: 3));

        net.Heal();
        net.TickAll(Et);

        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
        Assert.All(net.Members, m => Assert.Equal((term, 1UL), (m.Node.Term, m.Node.Lead)));
    }

    [Fact]
    public void WithoutPreVoteRejoiningMemberDeposesLeader()
    {
        var net = Network.WithLeader(3, c => c.PreVote = false);
        var term = net[1].Node.Term;
        net.Isolate(3);

        net.TickAll(10 * Et);
        Assert.True(net[3].Node.Term > term);

        net.Heal();
        net.TickAll(1);

        Assert.True(net[1].Node.Term > term);
        Assert.NotEqual(RaftRole.Leader, net[1].Node.Role);
    }

    [Fact]
    public void MemberThatCannotHearTheLeaderDoesNotDeposeIt()
    {
        var net = Network.WithLeader(3);
        var term = net[1].Node.Term;
        net.CutOneWay(1, 3);

        net.TickAll(10 * Et);

        Assert.True(net.Count(MessageType.PreVote, from: 3) > 0);
        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
        Assert.All(net.Members, m => Assert.Equal(term, m.Node.Term));
    }

    [Fact]
    public void PreCandidateDoesNotChangeTermOrVote()
    {
        var m = Nodes.New(1, [1, 2, 3]);

        m.Node.Campaign();

        Assert.Equal(RaftRole.PreCandidate, m.Node.Role);
        Assert.Equal((0UL, 0UL), (m.Node.Term, m.Node.Raft.Vote));
        var rd = m.ProcessReady()!;
        Assert.Null(rd.HardState);
        Assert.All(rd.Outgoing.Where(x => x.To != 1), x => Assert.Equal((MessageType.PreVote, 1UL), (x.Type, x.Term)));
    }
}
