using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>
/// <see cref="RaftConfig.CommitNoticeByHeartbeat"/>: a commit advance reaches followers that
/// already hold every entry with the next heartbeat, not with an empty append of its own.
/// </summary>
public class CommitNoticeTests
{
    private static void ByHeartbeat(RaftConfig c) => c.CommitNoticeByHeartbeat = true;

    [Theory]
    [InlineData(false, 4)]
    [InlineData(true, 2)]
    public void AWriteToACaughtUpGroupSendsAnEmptyAppendPerFollowerOnlyWithoutTheOption(bool byHeartbeat, int appends)
    {
        var net = Network.WithLeader(3, byHeartbeat ? ByHeartbeat : null);
        net.ClearTraffic();

        net.Propose(1, "x");

        // The entry to each follower; without the option, then the commit to each in an empty append.
        Assert.Equal(appends, net.Count(MessageType.Append, from: 1));
        Assert.Equal(appends, net.Count(MessageType.AppendResponse, to: 1));
        Assert.Equal(2, net.Sent(MessageType.Append, from: 1).Count(m => m.Entries.Length == 1));
    }

    [Fact]
    public void FollowersCommitWithTheNextHeartbeat()
    {
        var net = Network.WithLeader(3, ByHeartbeat);
        net.Propose(1, "x");
        var last = net[1].Node.LastIndex;
        Assert.Equal(last, net[1].Node.Committed);
        Assert.All([net[2], net[3]], m => Assert.Equal(last, m.Node.LastIndex));
        Assert.All([net[2], net[3]], m => Assert.True(m.Node.Committed < last));

        net.TickAll(1);

        Assert.All(net.Members, m => Assert.Equal(last, m.Node.Committed));
    }

    [Fact]
    public void AFollowerThatMissedTheEntryCatchesUpAndCommitsAtTheNextHeartbeat()
    {
        var net = Network.WithLeader(3, ByHeartbeat);
        net.Intercept = m => m.To == 3 && m.Type == MessageType.Append ? null : m;
        net.Propose(1, "x");
        var last = net[1].Node.LastIndex;
        Assert.Equal(last, net[1].Node.Committed);
        Assert.True(net[3].Node.LastIndex < last);

        // Its answer to the heartbeat shows what it lacks; the append that brings it carries the commit.
        net.Intercept = null;
        net.TickAll(1);

        Assert.All(net.Members, m => Assert.Equal(last, m.Node.Committed));
    }

    // Once every member holds the entry the leader may quiesce: its quiesce heartbeats carry the commit.
    [Fact]
    public void AGroupQuiescesOnceEveryMemberHoldsTheLogAndItsQuiesceHeartbeatsCarryTheCommit()
    {
        var net = Network.WithLeader(3, ByHeartbeat);
        net.Propose(1, "x");
        Assert.All(net.Members.Skip(1), m => Assert.True(m.Node.Committed < net[1].Node.LastIndex));

        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();

        Assert.All(net.Members, m => Assert.True(m.Node.IsQuiesced));
        Assert.All(net.Members, m => Assert.Equal(net[1].Node.LastIndex, m.Node.Committed));
    }

    [Fact]
    public void ALearnerLearnsTheCommitFromTheHeartbeatToo()
    {
        var net = Network.WithLeader(3, ByHeartbeat, learners: [4]);
        net.Propose(1, "x");
        var last = net[1].Node.LastIndex;
        Assert.True(net[4].Node.Committed < last);

        net.TickAll(1);

        Assert.Equal(last, net[4].Node.Committed);
    }
}
