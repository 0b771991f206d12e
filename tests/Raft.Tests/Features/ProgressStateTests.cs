using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Per-follower progress: probe (one append at a time), replicate (pipelined), snapshot (appends wait).</summary>
public class ProgressStateTests
{
    private static Member NewLeader()
    {
        var m = Nodes.New(1, [1, 2, 3], c => c.PreVote = false);
        Nodes.ElectByHand(m);
        m.Drain();
        return m;
    }

    private static int AppendsTo(IEnumerable<Message> msgs, ulong to) =>
        msgs.Count(x => x.Type == MessageType.Append && x.To == to);

    [Fact]
    public void NewLeaderProbesWithOneAppendUntilTheFollowerAnswers()
    {
        var m = NewLeader();
        var pr = m.Raft.Tracker.Progress[2];
        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.True(pr.IsPaused);

        m.Node.Propose(Nodes.Bytes("a"));
        m.Node.Propose(Nodes.Bytes("b"));

        Assert.Equal(0, AppendsTo(m.Drain(), 2));
    }

    [Fact]
    public void AcceptedProbeMovesFollowerToReplicateAndSendsTheRest()
    {
        var m = NewLeader();
        m.Node.Propose(Nodes.Bytes("a"));
        m.Drain();

        m.Node.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 1, Index = 1 });

        var pr = m.Raft.Tracker.Progress[2];
        Assert.Equal(ProgressState.Replicate, pr.State);
        var sent = m.Drain().Where(x => x.Type == MessageType.Append && x.To == 2).SelectMany(x => x.Entries);
        Assert.Equal([2UL], sent.Select(e => e.Index));
    }

    [Fact]
    public void ReplicatingFollowerGetsEveryProposalWithoutWaiting()
    {
        var m = NewLeader();
        m.Node.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 1, Index = 1 });
        m.Drain();

        var appends = 0;
        for (var i = 0; i < 3; i++)
        {
            m.Node.Propose(Nodes.Bytes($"p{i}"));
            appends += AppendsTo(m.Drain(), 2);
        }

        Assert.Equal(3, appends);
        Assert.Equal(3, m.Raft.Tracker.Progress[2].Inflights.Count);
    }

    [Fact]
    public void RejectionInReplicateFallsBackToProbe()
    {
        var m = NewLeader();
        m.Node.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 1, Index = 1 });
        m.Node.Propose(Nodes.Bytes("a"));
        m.Drain();

        m.Node.Step(new Message
        {
            Type = MessageType.AppendResponse, From = 2, To = 1, Term = 1, Index = 2, Reject = true, RejectHint = 1, LogTerm = 1,
        });

        var pr = m.Raft.Tracker.Progress[2];
        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.Equal(2UL, pr.Next);
    }

    [Fact]
    public void FollowerBehindCompactedLogIsInSnapshotStateAndGetsNoAppends()
    {
        var net = Network.WithLeader(3);
        net.Isolate(3);
        for (var i = 0; i < 5; i++)
        {
            net.Propose(1, $"p{i}");
        }

        var snap = net[1].CompactToApplied();
        net.Heal();
        net.Drop(MessageType.Snapshot);
        net.TickAll(1);

        var pr = net[1].Raft.Tracker.Progress[3];
        Assert.Equal(ProgressState.Snapshot, pr.State);
        Assert.Equal(snap.Index, pr.PendingSnapshot);
        net.ClearTraffic();
        net.Propose(1, "more");
        Assert.Equal(0, net.Count(MessageType.Append, 1, 3));
    }
}
