using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Snapshots: compaction, catching up a follower behind the compacted log, and the reported outcome.</summary>
public class SnapshotTests
{
    /// <summary>A group whose member 3 missed five commands that the leader then compacted away.</summary>
    private static (Network Net, Snapshot Snap) FollowerBehindCompaction()
    {
        var net = Network.WithLeader(3);
        net.Isolate(3);
        for (var i = 0; i < 5; i++)
        {
            net.Propose(1, $"p{i}");
        }

        var snap = net[1].CompactToApplied();
        net.Heal();
        net.ClearTraffic();
        return (net, snap);
    }

    [Fact]
    public void CompactionDropsAppliedEntriesAndTheGroupGoesOn()
    {
        var (net, snap) = FollowerBehindCompaction();

        Assert.Equal(6UL, snap.Index);
        Assert.Equal(7UL, net[1].Storage.FirstIndex);
        Assert.Equal(7UL, net[1].Raft.Log.FirstIndex);
        net.Isolate(3);
        Assert.Equal(ProposalResult.Accepted, net.Propose(1, "after"));
        Assert.Equal(7UL, net[1].Node.Committed);
    }

    [Fact]
    public void FollowerBehindCompactedLogIsSentSnapshotAndCatchesUp()
    {
        var (net, snap) = FollowerBehindCompaction();

        net.TickAll(1);

        var sent = Assert.Single(net.Sent(MessageType.Snapshot));
        Assert.Equal((1UL, 3UL, snap.Index), (sent.From, sent.To, sent.Snapshot!.Index));
        Assert.Equal(snap.Index, net[3].Storage.FirstIndex - 1);
        Assert.Equal(snap.Index, net[3].AppliedIndex);
        Assert.Equal(ProgressState.Replicate, net[1].Raft.Tracker.Progress[3].State);

        net.Propose(1, "after");
        Assert.Equal(["after"], net[3].AppliedCommands);
    }

    [Fact]
    public void FailedSnapshotReturnsToProbeAndIsRetried()
    {
        var (net, snap) = FollowerBehindCompaction();
        net.Drop(MessageType.Snapshot);
        net.TickAll(3);
        Assert.Equal(1, net.Count(MessageType.Snapshot));
        Assert.Equal(ProgressState.Snapshot, net[1].Raft.Tracker.Progress[3].State);

        net.Heal();
        net[1].Node.ReportSnapshot(3, succeeded: false);
        Assert.Equal(ProgressState.Probe, net[1].Raft.Tracker.Progress[3].State);
        net.TickAll(1);

        Assert.Equal(2, net.Count(MessageType.Snapshot));
        Assert.Equal(snap.Index, net[3].AppliedIndex);
        Assert.Equal(ProgressState.Replicate, net[1].Raft.Tracker.Progress[3].State);
    }

    [Fact]
    public void ReportedSuccessMovesOnFromTheSnapshotWithoutResending()
    {
        var (net, snap) = FollowerBehindCompaction();

        // The follower installs the snapshot but its answer is lost.
        net.Intercept = m => m.Type == MessageType.AppendResponse && m.From == 3 && !m.Reject ? null : m;
        net.TickAll(1);
        Assert.Equal(snap.Index, net[3].AppliedIndex);
        Assert.Equal(ProgressState.Snapshot, net[1].Raft.Tracker.Progress[3].State);

        net.Intercept = null;
        net[1].Node.ReportSnapshot(3, succeeded: true);
        var pr = net[1].Raft.Tracker.Progress[3];
        Assert.Equal((ProgressState.Probe, snap.Index + 1), (pr.State, pr.Next));
        net.TickAll(1);

        Assert.Equal(1, net.Count(MessageType.Snapshot));
        Assert.Equal(ProgressState.Replicate, pr.State);
        Assert.Equal(net[1].Node.LastIndex, pr.Match);
    }
}
