using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Pipelining within a window bounded by message count (MaxInflightMsgs) and by bytes (MaxInflightBytes).</summary>
public class InflightWindowTests
{
    private static int AppendsWithEntries(Network net, ulong to) =>
        net.Sent(MessageType.Append, 1, to).Count(m => m.Entries.Length > 0);

    private static Network ProposeToSilentFollower(Action<RaftConfig> configure, int proposals)
    {
        var net = Network.WithLeader(3, configure);
        net.Ignore(2);
        for (var i = 0; i < proposals; i++)
        {
            net[1].Node.Propose(new byte[100]);
            net.Stabilize();
        }

        return net;
    }

    [Fact]
    public void WindowIsBoundedByMessageCount()
    {
        var net = ProposeToSilentFollower(c => c.MaxInflightMsgs = 3, 6);

        Assert.Equal(3, AppendsWithEntries(net, 2));
        Assert.Equal(6, AppendsWithEntries(net, 3));
        Assert.True(net[1].Raft.Tracker.Progress[2].Inflights.Full);
    }

    [Fact]
    public void WindowIsBoundedByBytes()
    {
        // Each entry is 100 + 24 bytes: two fill 248 bytes.
        var net = ProposeToSilentFollower(c =>
        {
            c.MaxSizePerMsg = 124;
            c.MaxInflightBytes = 248;
        }, 6);

        Assert.Equal(2, AppendsWithEntries(net, 2));
        Assert.Equal(248, net[1].Raft.Tracker.Progress[2].Inflights.Bytes);
    }

    [Fact]
    public void WithoutLimitsEveryProposalIsPipelined()
    {
        var net = ProposeToSilentFollower(_ => { }, 6);

        Assert.Equal(6, AppendsWithEntries(net, 2));
    }

    [Fact]
    public void FullWindowDrainsOnceTheFollowerAnswers()
    {
        var net = ProposeToSilentFollower(c => c.MaxInflightMsgs = 3, 6);

        net.Unignore(2);
        net.TickAll(1);

        Assert.Equal(6, net[2].Applied.Count(e => e.Data.Length == 100));
        Assert.Equal(net[1].Node.LastIndex, net[1].Raft.Tracker.Progress[2].Match);
    }
}
