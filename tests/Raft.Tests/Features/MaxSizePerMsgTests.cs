using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>MaxSizePerMsg: a backlog is split into appends of at most that many bytes (at least one entry each).</summary>
public class MaxSizePerMsgTests
{
    [Fact]
    public void BacklogIsSplitIntoMessagesWithinTheLimit()
    {
        var net = Network.WithLeader(3, c => c.MaxSizePerMsg = 250);

        for (var i = 0; i < 10; i++)
        {
            net[1].Node.Propose(new byte[100]);
        }

        net.Stabilize();

        var appends = net.Sent(MessageType.Append, 1, 3).Where(m => m.Entries.Length > 0).ToList();
        Assert.Equal(5, appends.Count);
        Assert.All(appends, m => Assert.Equal((2, 248L), (m.Entries.Length, m.EntriesSize)));
        Assert.Equal(10, net[3].Applied.Count(e => e.Data.Length == 100));

        // Each entry crossed the network once per follower: splitting costs no resends.
        Assert.Equal(2 * 10 * (100 + Entry.Overhead), net.Bytes());
    }

    [Fact]
    public void EntryLargerThanTheLimitTravelsAlone()
    {
        var net = Network.WithLeader(3, c => c.MaxSizePerMsg = 250);

        net[1].Node.Propose(new byte[1000]);
        net[1].Node.Propose(new byte[10]);
        net.Stabilize();

        var appends = net.Sent(MessageType.Append, 1, 3).Where(m => m.Entries.Length > 0).ToList();
        Assert.Equal([1, 1], appends.Select(m => m.Entries.Length));
        Assert.Equal(1000, appends[0].Entries[0].Data.Length);
    }
}
