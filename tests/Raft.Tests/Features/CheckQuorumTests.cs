using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>CheckQuorum: a leader that has not heard from a quorum steps down; followers in a leader's lease ignore candidates.</summary>
public class CheckQuorumTests
{
    private const int Et = Nodes.ElectionTick;

    [Fact]
    public void IsolatedLeaderStepsDownAfterAnElectionTimeoutOfSilence()
    {
        var net = Network.WithLeader(3);
        net.Isolate(1);

        // The first check still sees the acknowledgements of the election; the second sees none.
        net.Tick(1, (2 * Et) - 1);
        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
        net.Tick(1, 1);

        Assert.Equal(RaftRole.Follower, net[1].Node.Role);
        Assert.Equal(0UL, net[1].Node.Lead);
    }

    [Fact]
    public void WithoutCheckQuorumIsolatedLeaderStaysLeader()
    {
        var net = Network.WithLeader(3, c => c.CheckQuorum = false);
        net.Isolate(1);

        net.Tick(1, 10 * Et);

        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
    }

    [Fact]
    public void FollowerInLeaseIgnoresVoteRequest()
    {
        var m = Nodes.New(1, [1, 2, 3]);
        m.Node.Step(new Message { Type = MessageType.Heartbeat, From = 2, To = 1, Term = 1 });
        m.Drain();

        m.Node.Step(new Message { Type = MessageType.Vote, From = 3, To = 1, Term = 2, Index = 9, LogTerm = 1 });

        Assert.Equal((1UL, 2UL, 0UL), (m.Node.Term, m.Node.Lead, m.Node.Raft.Vote));
        Assert.Empty(m.Drain());
    }

    [Fact]
    public void WithoutCheckQuorumFollowerGrantsVoteDespiteLeader()
    {
        var m = Nodes.New(1, [1, 2, 3], c => c.CheckQuorum = false);
        m.Node.Step(new Message { Type = MessageType.Heartbeat, From = 2, To = 1, Term = 1 });
        m.Drain();

        m.Node.Step(new Message { Type = MessageType.Vote, From = 3, To = 1, Term = 2, Index = 9, LogTerm = 1 });

        Assert.Equal((2UL, 3UL), (m.Node.Term, m.Node.Raft.Vote));
        Assert.False(Assert.Single(m.Drain()).Reject);
    }

    [Fact]
    public void FollowerOutOfLeaseGrantsVote()
    {
        var m = Nodes.New(1, [1, 2, 3], c => c.Random = new Random(0));
        m.Node.Step(new Message { Type = MessageType.Heartbeat, From = 2, To = 1, Term = 1 });
        m.Drain();
        for (var i = 0; i < Et && m.Node.Role == RaftRole.Follower; i++)
        {
            m.Node.Tick();
        }

        m.Drain();

        m.Node.Step(new Message { Type = MessageType.Vote, From = 3, To = 1, Term = 2, Index = 9, LogTerm = 1 });

        Assert.Equal((2UL, 3UL), (m.Node.Term, m.Node.Raft.Vote));
    }
}
