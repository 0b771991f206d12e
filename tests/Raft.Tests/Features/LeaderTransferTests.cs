using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Leader transfer: catch the transferee up, tell it to campaign at once; abort after an election timeout.</summary>
public class LeaderTransferTests
{
    private const int Et = Nodes.ElectionTick;

    [Fact]
    public void CaughtUpFollowerIsToldToCampaignAndWins()
    {
        var net = Network.WithLeader(3);
        var term = net[1].Node.Term;

        Assert.Equal(ProposalResult.Accepted, net[1].Node.TransferLeader(2));
        net.Stabilize();

        Assert.Equal(1, net.Count(MessageType.TimeoutNow, 1, 2));
        Assert.Equal(RaftRole.Leader, net[2].Node.Role);
        Assert.Equal(term + 1, net[2].Node.Term);
        Assert.All(net.Members, m => Assert.Equal(2UL, m.Node.Lead));
    }

    [Fact]
    public void LaggingFollowerIsCaughtUpBeforeItIsToldToCampaign()
    {
        var net = Network.WithLeader(3);
        net.Ignore(3);
        for (var i = 0; i < 5; i++)
        {
            net.Propose(1, $"p{i}");
        }

        net.Unignore(3);
        var last = net[1].Node.LastIndex;
        net.ClearTraffic();

        net[1].Node.TransferLeader(3);
        net.Stabilize();

        var traffic = net.Traffic.ToList();
        var caughtUp = traffic.FindIndex(m => m.Type == MessageType.AppendResponse && m.From == 3 && !m.Reject && m.Index == last);
        var timeoutNow = traffic.FindIndex(m => m.Type == MessageType.TimeoutNow);
        Assert.InRange(caughtUp, 0, int.MaxValue);
        Assert.True(timeoutNow > caughtUp);
        Assert.Equal(RaftRole.Leader, net[3].Node.Role);
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], net[3].AppliedCommands);
    }

    [Fact]
    public void TransferAbortsAfterAnElectionTimeout()
    {
        var net = Network.WithLeader(3);
        net.Isolate(3);
        net[1].Node.TransferLeader(3);
        Assert.Equal(3UL, net[1].Raft.LeadTransferee);

        net.Tick(1, Et - 1);
        Assert.Equal(3UL, net[1].Raft.LeadTransferee);
        net.Tick(1, 1);

        Assert.Equal(0UL, net[1].Raft.LeadTransferee);
        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
        Assert.Equal(ProposalResult.Accepted, net.Propose(1, "x"));
    }

    [Fact]
    public void ProposalsAreRefusedDuringATransfer()
    {
        var net = Network.WithLeader(3);
        net.Isolate(3);
        net[1].Node.TransferLeader(3);
        var last = net[1].Node.LastIndex;

        Assert.Equal(ProposalResult.LeaderTransferInProgress, net[1].Node.Propose(Nodes.Bytes("x")));
        net.Stabilize();
        Assert.Equal(last, net[1].Node.LastIndex);
    }

    [Fact]
    public void TransferToALearnerIsRefused()
    {
        var net = Network.WithLeader(3, learners: [4]);

        Assert.Equal(ProposalResult.NotAMember, net[1].Node.TransferLeader(4));
        Assert.Equal(0UL, net[1].Raft.LeadTransferee);
        net.Stabilize();
        Assert.Equal(0, net.Count(MessageType.TimeoutNow));
    }

    [Fact]
    public void FollowerBehindCompactedLogIsCaughtUpBySnapshotThenTakesOver()
    {
        var net = Network.WithLeader(3);
        net.Isolate(3);
        for (var i = 0; i < 5; i++)
        {
            net.Propose(1, $"p{i}");
        }

        net[1].CompactToApplied();
        net.Heal();

        net[1].Node.TransferLeader(3);
        net.Stabilize();

        Assert.Equal(1, net.Count(MessageType.Snapshot, 1, 3));
        Assert.Equal(1, net.Count(MessageType.TimeoutNow, 1, 3));
        Assert.Equal(RaftRole.Leader, net[3].Node.Role);
    }
}
