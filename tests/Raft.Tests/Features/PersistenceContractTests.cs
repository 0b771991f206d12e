using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>
/// The persistence contract of Ready: answers that promise durable state (votes, accepted
/// appends) wait for the write; the leader's own appends may go at once, but the leader counts
/// its own copy only once Advance says it is durable.
/// </summary>
public class PersistenceContractTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    [Fact]
    public void VoteIsSentOnlyAfterTheVoteIsPersisted()
    {
        var m = Nodes.New(1, Three);

        m.Node.Step(new Message { Type = MessageType.Vote, From = 2, To = 1, Term = 1 });

        var rd = m.ProcessReady()!;
        Assert.Equal(new HardState(1, 2, 0), rd.HardState);
        Assert.True(rd.MustSync);
        Assert.Empty(rd.Messages);
        var vote = Assert.Single(rd.PersistedMessages);
        Assert.Equal((MessageType.VoteResponse, 2UL, false), (vote.Type, vote.To, vote.Reject));
    }

    [Fact]
    public void AppendResponseIsSentOnlyAfterTheEntriesArePersisted()
    {
        var m = Nodes.New(1, Three);

        m.Node.Step(new Message { Type = MessageType.Append, From = 2, To = 1, Term = 1, Entries = [Nodes.Entry(1, 1)] });

        var rd = m.ProcessReady()!;
        Assert.Single(rd.Entries);
        Assert.True(rd.MustSync);
        Assert.Empty(rd.Messages);
        Assert.Equal(MessageType.AppendResponse, Assert.Single(rd.PersistedMessages).Type);
    }

    [Fact]
    public void CandidateCountsItsOwnVoteOnlyAfterAdvance()
    {
        var m = Nodes.New(1, Three, c => c.PreVote = false);
        m.Node.Campaign();
        m.Node.Step(new Message { Type = MessageType.VoteResponse, From = 2, To = 1, Term = 1 });
        Assert.Equal(RaftRole.Candidate, m.Node.Role);

        m.ProcessReady();

        Assert.Equal(RaftRole.Leader, m.Node.Role);
    }

    [Fact]
    public void LeaderSendsItsAppendsInTheSameReadyAsItsOwnWrite()
    {
        var net = Network.WithLeader(3);
        net[1].Node.Propose(Nodes.Bytes("x"));

        var rd = net[1].ProcessReady()!;

        var entry = Assert.Single(rd.Entries);
        var appends = rd.Messages.Where(m => m.Type == MessageType.Append).ToList();
        Assert.Equal([2UL, 3UL], appends.Select(m => m.To));
        Assert.All(appends, m => Assert.Equal(entry, Assert.Single(m.Entries)));
        Assert.Empty(rd.PersistedMessages);
    }

    [Fact]
    public void SingleMemberLeaderCommitsOnlyAfterAdvance()
    {
        var m = Nodes.New(1, [1]);
        m.Node.Campaign();
        m.Drain();
        var committed = m.Node.Committed;
        m.Node.Propose(Nodes.Bytes("x"));

        var rd = m.Node.GetReady();
        Assert.Equal(1, rd.Entries.Length);
        Assert.Equal(0, rd.CommittedEntries.Length);
        Assert.Equal(committed, m.Node.Committed);
        m.Storage.Append(rd.Entries);
        m.Node.Advance();

        Assert.Equal(committed + 1, m.Node.Committed);
        m.Drain();
        Assert.Equal(["x"], m.AppliedCommands);
    }

    [Fact]
    public void LeaderDoesNotCountItselfUntilAdvance()
    {
        var net = Network.WithLeader(3);
        var leader = net[1];
        var committed = leader.Node.Committed;
        leader.Node.Propose(Nodes.Bytes("x"));
        var rd = leader.Node.GetReady();
        var index = rd.Entries[0].Index;

        // One follower's acknowledgement plus a copy that is not yet durable is not a quorum.
        leader.Node.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = leader.Node.Term, Index = index });
        Assert.Equal(committed, leader.Node.Committed);

        leader.Storage.Append(rd.Entries);
        leader.Node.Advance();

        Assert.Equal(index, leader.Node.Committed);
    }

    [Fact]
    public void GetReadyTwiceWithoutAdvanceThrows()
    {
        var m = Nodes.New(1, [1]);
        m.Node.Campaign();
        m.Node.GetReady();

        Assert.Throws<InvalidOperationException>(() => m.Node.GetReady());
    }
}
