using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Paper;

/// <summary>Raft paper §5.2: leader election.</summary>
public class LeaderElectionTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    [Fact]
    public void FollowerStartsElectionAfterElectionTimeout_5_2()
    {
        var m = Nodes.New(1, Three, c => c.PreVote = false);

        var ticks = 0;
        while (m.Node.Role == RaftRole.Follower)
        {
            m.Node.Tick();
            ticks++;
        }

        Assert.InRange(ticks, Nodes.ElectionTick, (2 * Nodes.ElectionTick) - 1);
        Assert.Equal(RaftRole.Candidate, m.Node.Role);
        Assert.Equal(1UL, m.Node.Term);
        Assert.Equal(1UL, m.Node.Raft.Vote);
        var rd = m.ProcessReady()!;
        Assert.Equal(new HardState(1, 1, 0), rd.HardState);
        Assert.True(rd.MustSync);
        var votes = rd.Outgoing.Where(x => x.Type == MessageType.Vote).ToList();
        Assert.Equal([2UL, 3UL], votes.Select(v => v.To));
        Assert.All(votes, v => Assert.Equal(1UL, v.Term));
    }

    [Fact]
    public void LeaderSendsHeartbeatsToEveryFollower_5_2()
    {
        var m = Nodes.New(1, Three, c => c.PreVote = false);
        Nodes.ElectByHand(m);
        m.Drain();

        m.Node.Tick();

        var beats = m.Drain().Where(x => x.Type == MessageType.Heartbeat).Select(x => x.To).ToList();
        Assert.Equal([2UL, 3UL], beats);
    }

    [Theory]
    [InlineData(3, new ulong[] { 2 }, RaftRole.Leader)]
    [InlineData(3, new ulong[] { }, RaftRole.Candidate)]
    [InlineData(5, new ulong[] { 2 }, RaftRole.Candidate)]
    [InlineData(5, new ulong[] { 2, 3 }, RaftRole.Leader)]
    public void CandidateWinsWithVotesFromMajority_5_2(int size, ulong[] granting, RaftRole expected)
    {
        var voters = Enumerable.Range(1, size).Select(i => (ulong)i).ToArray();
        var m = Nodes.New(1, voters, c => c.PreVote = false);
        m.Node.Campaign();
        m.Drain();

        foreach (var id in granting)
        {
            m.Node.Step(new Message { Type = MessageType.VoteResponse, From = id, To = 1, Term = 1 });
        }

        Assert.Equal(expected, m.Node.Role);
    }

    [Fact]
    public void CandidateLosesWhenMajorityRejects_5_2()
    {
        var m = Nodes.New(1, Three, c => c.PreVote = false);
        m.Node.Campaign();
        m.Drain();

        m.Node.Step(new Message { Type = MessageType.VoteResponse, From = 2, To = 1, Term = 1, Reject = true });
        Assert.Equal(RaftRole.Candidate, m.Node.Role);
        m.Node.Step(new Message { Type = MessageType.VoteResponse, From = 3, To = 1, Term = 1, Reject = true });

        Assert.Equal(RaftRole.Follower, m.Node.Role);
        Assert.Equal(1UL, m.Node.Term);
    }

    [Fact]
    public void VoterGrantsAtMostOneVotePerTerm_5_2()
    {
        var m = Nodes.New(1, Three);

        m.Node.Step(new Message { Type = MessageType.Vote, From = 2, To = 1, Term = 1 });
        m.Node.Step(new Message { Type = MessageType.Vote, From = 3, To = 1, Term = 1 });
        m.Node.Step(new Message { Type = MessageType.Vote, From = 2, To = 1, Term = 1 });

        var answers = m.Drain().Select(x => (x.To, x.Reject)).ToList();
        Assert.Equal([(2UL, false), (3UL, true), (2UL, false)], answers);
        Assert.Equal(2UL, m.Storage.HardState.Vote);
    }

    [Fact]
    public void CandidateStepsDownOnAppendFromLeaderOfItsTerm_5_2()
    {
        var m = Nodes.New(1, Three, c => c.PreVote = false);
        m.Node.Campaign();
        m.Drain();

        m.Node.Step(new Message { Type = MessageType.Append, From = 2, To = 1, Term = 1 });

        Assert.Equal(RaftRole.Follower, m.Node.Role);
        Assert.Equal(2UL, m.Node.Lead);
        Assert.Equal(1UL, m.Node.Term);
    }

    [Fact]
    public void CandidateStartsNewElectionAfterSplitVote_5_2()
    {
        var m = Nodes.New(1, Three, c => c.PreVote = false);
        m.Node.Campaign();
        m.Drain();

        var ticks = 0;
        while (m.Node.Term == 1)
        {
            m.Node.Tick();
            ticks++;
        }

        Assert.InRange(ticks, Nodes.ElectionTick, (2 * Nodes.ElectionTick) - 1);
        Assert.Equal(RaftRole.Candidate, m.Node.Role);
        Assert.Equal(2UL, m.Node.Term);
        Assert.Equal(1UL, m.Node.Raft.Vote);
    }

    [Fact]
    public void GroupElectsExactlyOneLeaderByTimeouts_5_2()
    {
        var net = Network.Create(5);

        net.TickAll(2 * Nodes.ElectionTick);

        var leaders = net.Members.Where(x => x.Node.Role == RaftRole.Leader).ToList();
        var leader = Assert.Single(leaders);
        Assert.All(net.Members, x => Assert.Equal(leader.Id, x.Node.Lead));
    }
}
