using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Paper;

/// <summary>Raft paper §5.4: the election restriction (5.4.1) and committing entries from previous terms (5.4.2).</summary>
public class SafetyTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    // The voter's log: (1, t1), (2, t2).
    [Theory]
    [InlineData(2UL, 1UL)]
    [InlineData(1UL, 2UL)]
    [InlineData(5UL, 1UL)]
    public void VoterRejectsCandidateWithOlderLog_5_4_1(ulong lastIndex, ulong lastTerm)
    {
        var m = Nodes.WithLog(1, Three, [1, 2], new HardState(2, 0, 0));

        m.Node.Step(new Message { Type = MessageType.Vote, From = 2, To = 1, Term = 3, Index = lastIndex, LogTerm = lastTerm });

        var reply = Assert.Single(m.Drain());
        Assert.True(reply.Reject);
        Assert.Equal(0UL, m.Node.Raft.Vote);
    }

    [Theory]
    [InlineData(2UL, 2UL)]
    [InlineData(3UL, 2UL)]
    [InlineData(1UL, 3UL)]
    public void VoterGrantsCandidateWhoseLogIsAtLeastAsUpToDate_5_4_1(ulong lastIndex, ulong lastTerm)
    {
        var m = Nodes.WithLog(1, Three, [1, 2], new HardState(2, 0, 0));

        m.Node.Step(new Message { Type = MessageType.Vote, From = 2, To = 1, Term = 3, Index = lastIndex, LogTerm = lastTerm });

        var reply = Assert.Single(m.Drain());
        Assert.False(reply.Reject);
        Assert.Equal(2UL, m.Node.Raft.Vote);
    }

    [Fact]
    public void OnlyCandidateHoldingEveryCommittedEntryCanWin_5_4_1()
    {
        var net = Network.WithLeader(3, c => c.CheckQuorum = false);
        net.Isolate(3);
        net.Propose(1, "committed");
        Assert.Equal(2UL, net[1].Node.Committed);
        net.Heal();
        net.Isolate(1);

        net.Campaign(3);
        Assert.NotEqual(RaftRole.Leader, net[3].Node.Role);

        net.Campaign(2);
        Assert.Equal(RaftRole.Leader, net[2].Node.Role);
        Assert.Contains("committed", net[3].AppliedCommands);
    }

    [Fact]
    public void LeaderCommitsOnlyEntriesFromCurrentTermByCounting_5_4_2()
    {
        // Index 2 was written in term 2 by a leader that crashed before committing it.
        var m = Nodes.WithLog(1, Three, [1, 2], new HardState(2, 0, 1), c => c.PreVote = false);
        Nodes.ElectByHand(m);
        m.Drain();
        Assert.Equal(3UL, m.Node.Term);

        // Every member stores index 2, yet it is from an older term: counting does not commit it.
        m.Node.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 3, Index = 2 });
        m.Node.Step(new Message { Type = MessageType.AppendResponse, From = 3, To = 1, Term = 3, Index = 2 });

        Assert.Equal(1UL, m.Node.Committed);
    }

    [Fact]
    public void LeaderCommitsPreviousTermEntriesWithItsOwnTermsEntry_5_4_2()
    {
        var m = Nodes.WithLog(1, Three, [1, 2], new HardState(2, 0, 1), c => c.PreVote = false);
        Nodes.ElectByHand(m);
        m.Drain();
        m.Node.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 3, Index = 2 });

        m.Node.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 3, Index = 3 });

        Assert.Equal(3UL, m.Node.Committed);
        m.Drain();
        Assert.Equal([1UL, 2UL, 3UL], m.Applied.Select(e => e.Index));
    }
}
