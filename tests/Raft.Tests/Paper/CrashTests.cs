using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Paper;

/// <summary>Raft paper §5.5: follower and candidate crashes; requests are retried and idempotent.</summary>
public class CrashTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    [Fact]
    public void FollowerIgnoresDuplicateAppend_5_5()
    {
        var m = Nodes.New(1, Three);
        var append = new Message
        {
            Type = MessageType.Append, From = 2, To = 1, Term = 1, Entries = [Nodes.Entry(1, 1), Nodes.Entry(1, 2)],
        };

        m.Node.Step(append);
        var first = m.ProcessReady()!;
        m.Node.Step(append);
        var second = m.ProcessReady()!;

        Assert.Equal(2, first.Entries.Length);
        Assert.Empty(second.Entries);
        Assert.Equal(2UL, Assert.Single(second.Outgoing).Index);
        Assert.Equal(2UL, m.Storage.LastIndex);
    }

    [Fact]
    public void FollowerKeepsItsLongerLogOnDelayedShorterAppend_5_5()
    {
        var m = Nodes.New(1, Three);
        m.Node.Step(new Message
        {
            Type = MessageType.Append, From = 2, To = 1, Term = 1, Entries = [Nodes.Entry(1, 1), Nodes.Entry(1, 2)],
        });
        m.Drain();

        // The first of two pipelined appends arrives again, late: it must not truncate entry 2.
        m.Node.Step(new Message { Type = MessageType.Append, From = 2, To = 1, Term = 1, Entries = [Nodes.Entry(1, 1)] });
        m.Drain();

        Assert.Equal(2UL, m.Node.LastIndex);
        Assert.Equal(2UL, m.Storage.LastIndex);
    }

    [Fact]
    public void LeaderRetriesAppendsToCrashedFollowerWhenItReturns_5_5()
    {
        var net = Network.WithLeader(3);
        net.Ignore(3);
        net.Propose(1, "x");
        Assert.Empty(net[3].AppliedCommands);

        net.Unignore(3);
        net.TickAll(1);

        Assert.Equal(["x"], net[3].AppliedCommands);
    }

    [Fact]
    public void RestartedMemberKeepsItsTermAndVote_5_5()
    {
        var m = Nodes.New(1, Three);
        m.Node.Step(new Message { Type = MessageType.Vote, From = 2, To = 1, Term = 5 });
        m.Drain();

        m.Restart();
        m.Node.Step(new Message { Type = MessageType.Vote, From = 3, To = 1, Term = 5 });

        Assert.Equal((5UL, 2UL), (m.Node.Term, m.Node.Raft.Vote));
        Assert.True(Assert.Single(m.Drain()).Reject);
    }

    [Fact]
    public void RestartedMemberKeepsItsLogAndCommit_5_5()
    {
        var net = Network.WithLeader(3);
        net.Propose(1, "a");

        net[2].Restart();

        Assert.Equal(2UL, net[2].Node.LastIndex);
        Assert.Equal(2UL, net[2].Node.Committed);
        Assert.Equal(2UL, net[2].Node.Applied);
    }

    [Fact]
    public void WholeGroupRestartKeepsCommittedEntriesAndDoesNotReapply_5_5()
    {
        var net = Network.WithLeader(3);
        for (var i = 0; i < 5; i++)
        {
            net.Propose(1, $"p{i}");
        }

        net[1].CompactToApplied();
        foreach (var m in net.Members)
        {
            m.Restart();
        }

        net.TickAll(3 * Nodes.ElectionTick);
        net.Propose(net.Leader!.Id, "after");

        // Entries 1-6 from before, the new leader's empty entry 7, then "after" at 8.
        Assert.All(net.Members, m => Assert.Equal(8UL, m.Node.Committed));
        Assert.All(net.Members, m => Assert.Equal(["p0", "p1", "p2", "p3", "p4", "after"], m.AppliedCommands));
    }
}
