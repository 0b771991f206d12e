using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Paper;

/// <summary>Raft paper §5.1: terms act as a logical clock; stale terms are refused, newer ones adopted.</summary>
public class TermTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    [Fact]
    public void FollowerUpdatesTermFromMessage_5_1()
    {
        var m = Nodes.New(1, Three);

        m.Node.Step(new Message { Type = MessageType.Heartbeat, From = 2, To = 1, Term = 3 });

        Assert.Equal(3UL, m.Node.Term);
        Assert.Equal(2UL, m.Node.Lead);
        Assert.Equal(RaftRole.Follower, m.Node.Role);
    }

    [Fact]
    public void CandidateRevertsToFollowerOnHigherTerm_5_1()
    {
        var m = Nodes.New(1, Three, c => c.PreVote = false);
        m.Node.Campaign();
        Assert.Equal(RaftRole.Candidate, m.Node.Role);

        m.Node.Step(new Message { Type = MessageType.Heartbeat, From = 2, To = 1, Term = 2 });

        Assert.Equal(RaftRole.Follower, m.Node.Role);
        Assert.Equal(2UL, m.Node.Term);
        Assert.Equal(2UL, m.Node.Lead);
    }

    [Fact]
    public void LeaderRevertsToFollowerOnHigherTerm_5_1()
    {
        var m = Nodes.New(1, Three, c => c.PreVote = false);
        Nodes.ElectByHand(m);

        m.Node.Step(new Message { Type = MessageType.Heartbeat, From = 3, To = 1, Term = 5 });

        Assert.Equal(RaftRole.Follower, m.Node.Role);
        Assert.Equal(5UL, m.Node.Term);
        Assert.Equal(3UL, m.Node.Lead);
    }

    [Fact]
    public void NodeRejectsAppendWithStaleTermAndAnswersWithItsTerm_5_1()
    {
        var m = Nodes.New(1, Three);
        m.Node.Step(new Message { Type = MessageType.Heartbeat, From = 2, To = 1, Term = 3 });
        m.Drain();

        m.Node.Step(new Message
        {
            Type = MessageType.Append, From = 3, To = 1, Term = 2, Entries = [Nodes.Entry(2, 1)],
        });

        Assert.Equal(0UL, m.Node.LastIndex);
        Assert.Equal(3UL, m.Node.Term);
        var reply = Assert.Single(m.Drain());
        Assert.Equal((MessageType.AppendResponse, 3UL, 3UL), (reply.Type, reply.To, reply.Term));
    }

    [Fact]
    public void NodeIgnoresVoteRequestWithStaleTerm_5_1()
    {
        var m = Nodes.New(1, Three);
        m.Node.Step(new Message { Type = MessageType.Heartbeat, From = 2, To = 1, Term = 3 });
        m.Drain();

        m.Node.Step(new Message { Type = MessageType.Vote, From = 3, To = 1, Term = 2 });

        Assert.Equal(0UL, m.Node.Raft.Vote);
        Assert.Empty(m.Drain());
    }
}
