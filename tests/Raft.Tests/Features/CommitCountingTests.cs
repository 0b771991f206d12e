using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>
/// Figure 8 of the Raft paper: an entry from an earlier term stored on a majority can still be
/// overwritten, so a leader commits only by counting replicas of its own term's entries.
/// </summary>
public class CommitCountingTests
{
    [Fact]
    public void Figure8EntryOfOlderTermOnMajorityIsNotCommittedAndIsLaterOverwritten()
    {
        var net = Network.Create(5, c =>
        {
            c.CheckQuorum = false;
            c.PreVote = false;
        });
        net.Campaign(1);

        // (a) S1 leads term 1 and writes "a" at index 2 on S1 and S2 only.
        net.Isolate(3);
        net.Isolate(4);
        net.Isolate(5);
        net.Propose(1, "a");
        Assert.Equal(1UL, net[1].Node.Committed);

        // (b) S1 crashes; S5 wins term 2 with S3 and S4 and writes index 2 only locally.
        net.Heal();
        net.Isolate(1);
        net.Intercept = m => m.From == 5 && m.Type == MessageType.Append ? null : m;
        net.Campaign(5);
        Assert.Equal((RaftRole.Leader, 2UL), (net[5].Node.Role, net[5].Node.Term));
        net.Intercept = null;

        // (c) S5 crashes; S1 wins term 3 and copies index 2 (term 1) to S3 and S4, but not its own entry 3.
        net.Heal();
        net.Isolate(5);
        net[1].Restart();
        net.Intercept = m => m.From == 1 && m.Type == MessageType.Append
            ? new Message
            {
                Type = m.Type, From = m.From, To = m.To, Term = m.Term, Index = m.Index, LogTerm = m.LogTerm,
                Commit = m.Commit, Entries = m.Entries.Where(e => e.Index <= 2).ToArray(),
            }
            : m;

        // Term 2 is lost (S3 and S4 voted for S5 in it); term 3 is won.
        net.Campaign(1);
        net.Campaign(1);
        Assert.Equal((RaftRole.Leader, 3UL), (net[1].Node.Role, net[1].Node.Term));
        Assert.All(new ulong[] { 1, 2, 3, 4 }, id => Assert.True(net[id].Raft.Log.MatchTerm(2, 1)));
        Assert.Equal(1UL, net[1].Node.Committed);
        net.Intercept = null;

        // (d) S1 crashes; S5 wins term 4 (its last term 2 beats their 1) and overwrites index 2.
        net.Heal();
        net.Isolate(1);
        net[5].Restart();

        // Term 3 is lost (S2, S3 and S4 voted for S1 in it); term 4 is won.
        net.Campaign(5);
        net.Campaign(5);
        Assert.Equal((RaftRole.Leader, 4UL), (net[5].Node.Role, net[5].Node.Term));
        net.Heal();
        net.TickAll(1);

        Assert.All(net.Members, m => Assert.True(m.Raft.Log.MatchTerm(2, 2)));
        Assert.All(net.Members, m => Assert.DoesNotContain("a", m.AppliedCommands));
        var applied = net[5].Applied.Select(e => (e.Index, e.Term)).ToList();
        Assert.All(net.Members, m => Assert.Equal(applied, m.Applied.Select(e => (e.Index, e.Term))));
    }
}
