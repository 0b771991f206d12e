using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Lease reads: answered at once while a quorum acknowledged recently; otherwise a heartbeat round, as ReadIndex.</summary>
public class LeaseReadTests
{
    private static void LeaseBased(RaftConfig c) => c.ReadOnlyOption = ReadOnlyOption.LeaseBased;

    [Fact]
    public void LeaseReadsRequireCheckQuorum()
    {
        var c = Nodes.Config(1, new MemoryStorage(new ConfState([1UL, 2, 3])), c =>
        {
            LeaseBased(c);
            c.CheckQuorum = false;
        });

        var ex = Assert.Throws<ArgumentException>(c.Validate);

        Assert.Equal("RaftConfig.ReadOnlyOption LeaseBased requires CheckQuorum", ex.Message);
        Assert.Throws<ArgumentException>(() => new RawNode(c));
    }

    [Fact]
    public void FreshMembersRefuseVotesForAnElectionTimeout()
    {
        var net = Network.Create(3, LeaseBased);

        net.Campaign(1);

        Assert.NotEqual(RaftRole.Leader, net[1].Node.Role);
        Assert.Equal(0, net.Count(MessageType.PreVoteResponse, to: 1));
    }

    [Fact]
    public void ReadWithinTheLeaseIsAnsweredWithoutMessages()
    {
        var (net, leader) = Network.WithLeaseLeader();
        Assert.True(leader.Node.LeaseValid);

        leader.Node.ReadIndex(3);
        net.Stabilize();

        Assert.Equal([new ReadState(leader.Node.Committed, 3)], leader.ReadStates);
        Assert.Empty(net.Traffic);
    }

    [Fact]
    public void ReadAfterTheLeaseExpiresNeedsAHeartbeatRound()
    {
        var (net, leader) = Network.WithLeaseLeader();
        var followers = net.Members.Where(m => m != leader).Select(m => m.Id).ToList();
        followers.ForEach(net.Ignore);

        // The lease is ElectionTick - LeaseMarginTicks = 8 ticks from the last acknowledged round.
        net.Tick(leader.Id, 7);
        Assert.True(leader.Node.LeaseValid);
        net.Tick(leader.Id, 1);
        Assert.False(leader.Node.LeaseValid);
        Assert.Equal(RaftRole.Leader, leader.Node.Role);

        followers.ForEach(net.Unignore);
        net.ClearTraffic();
        leader.Node.ReadIndex(4);
        net.Stabilize();
        Assert.Empty(leader.ReadStates);

        // The rounds sent while the followers were away are lost; the next one confirms the read.
        net.Tick(leader.Id, 1);

        Assert.Equal([new ReadState(leader.Node.Committed, 4)], leader.ReadStates);
        Assert.Equal(2, net.Count(MessageType.Heartbeat));
    }

    [Fact]
    public void SafeReadsAlwaysSendAHeartbeatRound()
    {
        var net = Network.WithLeader(3);
        net.TickAll(1);
        net.ClearTraffic();

        net[1].Node.ReadIndex(3);
        net.Stabilize();

        Assert.False(net[1].Node.LeaseValid);
        Assert.Equal(2, net.Count(MessageType.Heartbeat));
    }
}
