using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>ReadIndex: linearizable reads confirmed by a quorum heartbeat round, on the leader or forwarded by followers.</summary>
public class ReadIndexTests
{
    [Fact]
    public void LeaderAnswersReadAfterAQuorumHeartbeatRound()
    {
        var net = Network.WithLeader(3);
        net.Propose(1, "x");
        net.ClearTraffic();

        Assert.Equal(ProposalResult.Accepted, net[1].Node.ReadIndex(7));
        net.Stabilize();

        Assert.Equal([new ReadState(2, 7)], net[1].ReadStates);
        Assert.Equal(2, net.Count(MessageType.Heartbeat));
        Assert.Equal(2, net.Count(MessageType.HeartbeatResponse));
    }

    [Fact]
    public void LeaderWithoutQuorumDoesNotAnswerUntilAQuorumAcknowledges()
    {
        var net = Network.WithLeader(3);
        net.Isolate(2);
        net.Isolate(3);

        net[1].Node.ReadIndex(7);
        net.Stabilize();
        Assert.Empty(net[1].ReadStates);

        net.Heal();
        net.Isolate(3);
        net.TickAll(1);

        Assert.Equal([new ReadState(1, 7)], net[1].ReadStates);
    }

    [Fact]
    public void FollowerReadIsForwardedAndAnswered()
    {
        var net = Network.WithLeader(3);
        net.Propose(1, "x");
        net.ClearTraffic();

        Assert.Equal(ProposalResult.Accepted, net[2].Node.ReadIndex(9));
        net.Stabilize();

        Assert.Equal([new ReadState(2, 9)], net[2].ReadStates);
        Assert.Empty(net[1].ReadStates);
        Assert.Equal(1, net.Count(MessageType.ReadIndex, 2, 1));
        Assert.Equal(1, net.Count(MessageType.ReadIndexResponse, 1, 2));
    }

    [Fact]
    public void LeaderDelaysReadsUntilItHasCommittedInItsTerm()
    {
        var net = Network.Create(3);
        net.Drop(MessageType.AppendResponse);
        net.Campaign(1);
        Assert.Equal((RaftRole.Leader, 0UL), (net[1].Node.Role, net[1].Node.Committed));
        net.ClearTraffic();

        net[1].Node.ReadIndex(5);
        net.Stabilize();
        Assert.Empty(net[1].ReadStates);
        Assert.Equal(0, net.Count(MessageType.Heartbeat));

        net.Undrop(MessageType.AppendResponse);
        net.TickAll(1);

        Assert.Equal(1UL, net[1].Node.Committed);
        Assert.Equal([new ReadState(1, 5)], net[1].ReadStates);
    }

    [Fact]
    public void ManyReadsIssuedTogetherShareOneHeartbeatRound()
    {
        var net = Network.WithLeader(3);

        for (ulong id = 1; id <= 100; id++)
        {
            net[1].Node.ReadIndex(id);
        }

        net.Stabilize();

        Assert.Equal(100, net[1].ReadStates.Count);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (ulong)i), net[1].ReadStates.Select(r => r.RequestId));
        Assert.Equal(2, net.Count(MessageType.Heartbeat));
    }

    [Fact]
    public void ReadsArrivingWhileARoundIsOutNeedTheNextRound()
    {
        var net = Network.WithLeader(3);
        net[1].Node.ReadIndex(1);
        var sent = net[1].Drain();
        Assert.Equal(2, sent.Count(m => m.Type == MessageType.Heartbeat));

        // The round is on the wire: a read now cannot be confirmed by it.
        net[1].Node.ReadIndex(2);
        foreach (var m in sent)
        {
            net.Deliver(m);
        }

        net.Stabilize();

        Assert.Equal([1UL, 2UL], net[1].ReadStates.Select(r => r.RequestId));
        Assert.Equal(2, net.Count(MessageType.Heartbeat));
    }

    [Fact]
    public void ReadForwardedToALostLeaderIsNeverAnsweredAndTheNextLeaderServesNewOnes()
    {
        var net = Network.WithLeader(3);
        net.Isolate(1);
        net[2].Node.ReadIndex(5);
        net.Stabilize();

        net.TickAll(3 * Nodes.ElectionTick);
        Assert.NotEqual(1UL, net.Leader!.Id);
        net[2].Node.ReadIndex(6);
        net.Stabilize();

        Assert.Equal([6UL], net[2].ReadStates.Select(r => r.RequestId));
        Assert.Equal(net.Leader!.Node.Committed, net[2].ReadStates[0].Index);
    }
}
