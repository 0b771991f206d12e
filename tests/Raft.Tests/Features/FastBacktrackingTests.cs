using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>
/// Conflict hints: a follower whose log diverges over a whole term is repaired in one rejection,
/// not one per entry (6.824's Backup test, the thesis's optimisation of §5.3).
/// </summary>
public class FastBacktrackingTests
{
    [Fact]
    public void DivergentTailOfFiftyEntriesCostsOneRejection()
    {
        // Leases would stop the minority's successor from campaigning; this is about logs.
        var net = Network.WithLeader(5, c => c.CheckQuorum = false);
        net.Isolate(3);
        net.Isolate(4);
        net.Isolate(5);
        for (var i = 0; i < 50; i++)
        {
            net.Propose(1, $"lost{i}");
        }

        net.Heal();
        net.Isolate(1);
        net.Isolate(2);
        net.Campaign(3);
        for (var i = 0; i < 50; i++)
        {
            net.Propose(3, $"kept{i}");
        }

        net.Heal();
        net.ClearTraffic();

        // A leader elected now starts probing 1 and 2 at its own last index.
        net.Campaign(4);
        Assert.Equal(RaftRole.Leader, net[4].Node.Role);

        Assert.Equal(1, net.Sent(MessageType.AppendResponse, from: 1).Count(m => m.Reject));
        Assert.Equal(1, net.Sent(MessageType.AppendResponse, from: 2).Count(m => m.Reject));
        var expected = Enumerable.Range(0, 50).Select(i => $"kept{i}").ToList();
        Assert.All(net.Members, m => Assert.Equal(expected, m.AppliedCommands));
    }

    [Fact]
    public void RejectionHintsTheLastIndexWhoseTermIsNotNewer()
    {
        // Follower: terms 1 1 2 2 2 2. The leader probes at index 8 with term 5.
        var m = Nodes.WithLog(1, [1, 2, 3], [1, 1, 2, 2, 2, 2], new HardState(2, 0, 0));

        m.Node.Step(new Message { Type = MessageType.Append, From = 2, To = 1, Term = 5, Index = 8, LogTerm = 5 });

        var reply = Assert.Single(m.Drain());
        Assert.True(reply.Reject);
        Assert.Equal((6UL, 2UL), (reply.RejectHint, reply.LogTerm));
    }
}
