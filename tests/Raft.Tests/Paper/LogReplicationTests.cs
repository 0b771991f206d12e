using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Paper;

/// <summary>Raft paper §5.3: log replication and the consistency check.</summary>
public class LogReplicationTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    [Fact]
    public void LeaderAppendsProposalAndSendsItWithPrecedingIndexAndTerm_5_3()
    {
        var net = Network.WithLeader(3);

        net.Propose(1, "x");

        var append = net.Sent(MessageType.Append, 1, 2).First(m => m.Entries.Length > 0);
        Assert.Equal((1UL, 1UL), (append.Index, append.LogTerm));
        var e = Assert.Single(append.Entries);
        Assert.Equal((1UL, 2UL, "x"), (e.Term, e.Index, System.Text.Encoding.UTF8.GetString(e.Data.Span)));
    }

    [Fact]
    public void LeaderCommitsEntryOnceStoredOnMajority_5_3()
    {
        var net = Network.WithLeader(5);
        net.Isolate(3);
        net.Isolate(4);
        net.Isolate(5);

        net.Propose(1, "x");
        Assert.Equal(1UL, net[1].Node.Committed);

        net.Heal();
        net.Isolate(4);
        net.Isolate(5);
        net.TickAll(1);

        Assert.Equal(2UL, net[1].Node.Committed);
        Assert.Equal(["x"], net[1].AppliedCommands);
    }

    [Fact]
    public void FollowersLearnCommitIndexAndApplyInLogOrder_5_3()
    {
        var net = Network.WithLeader(3);

        net.Propose(1, "a");
        net.Propose(2, "b");
        net.Propose(1, "c");

        Assert.All(net.Members, m => Assert.Equal(["a", "b", "c"], m.AppliedCommands));
        Assert.All(net.Members, m => Assert.Equal(4UL, m.Node.Committed));
    }

    [Theory]
    [InlineData(2UL, 2UL)]
    [InlineData(3UL, 1UL)]
    public void FollowerRejectsAppendWhenItsLogDoesNotMatchPrecedingEntry_5_3(ulong index, ulong logTerm)
    {
        var m = Nodes.WithLog(1, Three, [1, 1], new HardState(1, 0, 0));

        m.Node.Step(new Message
        {
            Type = MessageType.Append, From = 2, To = 1, Term = 2, Index = index, LogTerm = logTerm,
            Entries = [Nodes.Entry(2, index + 1)],
        });

        Assert.Equal(2UL, m.Node.LastIndex);
        var reply = Assert.Single(m.Drain());
        Assert.True(reply.Reject);
    }

    [Fact]
    public void FollowerAcceptsAppendWhenPrecedingEntryMatches_5_3()
    {
        var m = Nodes.WithLog(1, Three, [1, 1], new HardState(1, 0, 0));

        m.Node.Step(new Message
        {
            Type = MessageType.Append, From = 2, To = 1, Term = 2, Index = 2, LogTerm = 1, Commit = 3,
            Entries = [Nodes.Entry(2, 3)],
        });

        var reply = Assert.Single(m.Drain());
        Assert.False(reply.Reject);
        Assert.Equal(3UL, reply.Index);
        Assert.Equal(3UL, m.Node.Committed);
    }

    [Fact]
    public void FollowerReplacesConflictingEntriesWithLeaders_5_3()
    {
        var m = Nodes.WithLog(1, Three, [1, 1, 1], new HardState(1, 0, 1));

        m.Node.Step(new Message
        {
            Type = MessageType.Append, From = 2, To = 1, Term = 2, Index = 1, LogTerm = 1,
            Entries = [Nodes.Entry(2, 2), Nodes.Entry(2, 3)],
        });

        var rd = m.ProcessReady()!;
        Assert.Equal([(2UL, 2UL), (2UL, 3UL)], rd.Entries.Select(e => (e.Term, e.Index)));
        Assert.True(m.Storage.TryGetTerm(2, out var t2) && t2 == 2);
        Assert.True(m.Storage.TryGetTerm(3, out var t3) && t3 == 2);
        Assert.Equal(3UL, m.Storage.LastIndex);
    }

    [Fact]
    public void LeaderForcesDivergentFollowerToDuplicateItsLog_5_3()
    {
        var net = Network.WithLeader(3, c => c.CheckQuorum = false);
        net.Isolate(1);
        net.Propose(1, "lost1");
        net.Propose(1, "lost2");
        net.Campaign(2);
        Assert.Equal(RaftRole.Leader, net[2].Node.Role);
        net.Propose(2, "kept");

        net.Heal();
        net.TickAll(1);

        Assert.All(net.Members, m => Assert.Equal(["kept"], m.AppliedCommands));
        Assert.Equal(net[2].Node.LastIndex, net[1].Node.LastIndex);
        for (ulong i = 1; i <= net[2].Node.LastIndex; i++)
        {
            Assert.Equal(net[2].Raft.Log.TermOrZero(i), net[1].Raft.Log.TermOrZero(i));
        }
    }
}
