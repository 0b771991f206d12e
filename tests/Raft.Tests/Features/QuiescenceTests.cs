using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>
/// Quiescence: an idle, caught-up group stops ticking and heartbeating; any message or proposal
/// wakes it; a quiesced leader holds no lease; a woken leader without a quorum still steps down.
/// </summary>
public class QuiescenceTests
{
    private const int Et = Nodes.ElectionTick;

    private static Network QuiescedGroup(Action<RaftConfig>? configure = null)
    {
        var net = Network.WithLeader(3, configure);
        net.Propose(1, "x");
        // One heartbeat round acknowledged by everyone since the commit: then each knows it.
        net.TickAll(1);
        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();
        Assert.All(net.Members, m => Assert.True(m.Node.IsQuiesced));
        net.ClearTraffic();
        return net;
    }

    // Member 3 stopped before "x": 1 and 2 hold and know the commit of the whole log, 3 lacks it.
    private static Network GroupWithMember3Down()
    {
        var net = Network.WithLeader(3);
        net.Ignore(3);
        net.Propose(1, "x");
        net.TickAll(2);
        return net;
    }

    private static void ByHeartbeat(RaftConfig c) => c.CommitNoticeByHeartbeat = true;

    // The leader quiesces and tells every member with one quiesce heartbeat each.
    private static void QuiescesWithARoundOfItsOwn(Network net)
    {
        net.ClearTraffic();
        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();

        Assert.Equal(2, net.Count(MessageType.Heartbeat));
        Assert.All(net.Members, m => Assert.True(m.Node.IsQuiesced));
    }

    // A write to an idle group: the entry and its acknowledgements, then one round that tells
    // the commit and quiets the members; the leader quiesces on their answers, sending nothing.
    [Fact]
    public void AWriteToAnIdleGroupCostsOneHeartbeatRoundWhenTheHostTicksItIdle()
    {
        var net = Network.WithLeader(3, ByHeartbeat);
        net.ClearTraffic();
        net.Propose(1, "x");

        net.TickIdle(1);
        Assert.True(net[2].Node.IsQuiesced);
        Assert.True(net[3].Node.IsQuiesced);
        Assert.False(net[1].Node.IsQuiesced);
        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();

        Assert.All(net.Members, m => Assert.True(m.Node.IsQuiesced));
        Assert.All(net.Members, m => Assert.Equal(net[1].Node.LastIndex, m.Node.Committed));
        Assert.Equal(2, net.Count(MessageType.Append));
        Assert.Equal(2, net.Count(MessageType.AppendResponse));
        Assert.Equal(2, net.Count(MessageType.Heartbeat));
        Assert.Equal(2, net.Sent(MessageType.HeartbeatResponse).Count(m => (m.Flags & MessageFlags.Quiesce) != 0));
    }

    // Without the idle tick, the commit goes out in a plain round and the quiesce takes a second.
    [Fact]
    public void WithoutAnIdleTickTheLeaderQuiescesWithARoundOfItsOwn()
    {
        var net = Network.WithLeader(3, ByHeartbeat);
        net.Propose(1, "x");
        net.TickAll(1);
        Assert.False(net[2].Node.IsQuiesced);
        QuiescesWithARoundOfItsOwn(net);
    }

    // A quiet answer counts only until a plain heartbeat wakes the member again.
    [Fact]
    public void AMemberWokenAfterItsQuietAnswerIsQuietedAgainByTheQuiesce()
    {
        var net = Network.WithLeader(3, ByHeartbeat);
        net.Propose(1, "x");
        net.TickIdle(1);
        net.TickAll(1);
        Assert.False(net[2].Node.IsQuiesced);
        QuiescesWithARoundOfItsOwn(net);
    }

    // A member whose quiet answer was lost may be awake: the leader tells it with a round.
    [Fact]
    public void AMemberWhoseQuietAnswerWasLostIsToldByTheQuiesceRound()
    {
        var net = Network.WithLeader(3, ByHeartbeat);
        net.Propose(1, "x");
        net.TickAll(1);
        net.Intercept = m => m.Type == MessageType.HeartbeatResponse && m.From == 3 ? null : m;
        net.TickIdle(1);
        net.Intercept = null;
        QuiescesWithARoundOfItsOwn(net);
    }

    [Fact]
    public void QuiesceIsRefusedWhileAMemberLags()
    {
        var net = Network.WithLeader(3);
        net.Ignore(3);
        net.Propose(1, "x");
        net.Unignore(3);

        Assert.False(net[1].Node.TryQuiesce());
        Assert.False(net[1].Node.IsQuiesced);

        // This tick's heartbeat brings 3 its missing entry; the round it answered went out before
        // 3 held the log, so it proves nothing about 3's commit yet. The next round does.
        net.TickAll(1);
        Assert.Equal(net[1].Node.LastIndex, net[3].Node.LastIndex);
        Assert.False(net[1].Node.TryQuiesce());
        net.TickAll(1);
        Assert.True(net[1].Node.TryQuiesce());
    }

    // A learner never campaigns: if the quiesce heartbeat were the only message to carry the
    // commit of its last entry, losing it would leave the learner behind until the next write.
    [Fact]
    public void QuiesceWaitsUntilEveryMemberAcknowledgedTheCommitOfTheWholeLog()
    {
        var net = Network.WithLeader(3, learners: [4]);
        var last = net[1].Node.LastIndex + 1;
        // The learner gets the entry but never hears that it committed.
        net.Intercept = m => m.To == 4 && m.Commit >= last ? null : m;
        net.Propose(1, "x");
        Assert.Equal(last, net[4].Node.LastIndex);
        Assert.True(net[4].Node.Committed < last);

        net.TickAll(3);
        Assert.False(net[1].Node.TryQuiesce());

        net.Intercept = null;
        net.TickAll(1);
        Assert.Equal(last, net[4].Node.Committed);
        Assert.True(net[1].Node.TryQuiesce());
    }

    [Fact]
    public void MemberThatLosesTheQuiesceHeartbeatHasStillCommittedTheWholeLog()
    {
        var net = Network.WithLeader(3, learners: [4]);
        net.Propose(1, "x");
        net.TickAll(1);
        net.Intercept = m => m.To == 4 && (m.Flags & MessageFlags.Quiesce) != 0 ? null : m;

        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();
        net.TickAll(50);

        Assert.False(net[4].Node.IsQuiesced);
        Assert.Equal(net[1].Node.LastIndex, net[4].Node.Committed);
        Assert.Equal(["x"], net[4].AppliedCommands);
        Assert.True(net[1].Node.IsQuiesced);
    }

    // A member the host knows is down (its silo silent past an election timeout) is not waited
    // for: an outage would otherwise keep every group that elected or wrote during it
    // heartbeating each tick for as long as it lasted.
    [Fact]
    public void LeaderQuiescesWithoutAMemberTheHostSaysIsDown()
    {
        var net = GroupWithMember3Down();

        Assert.True(net[1].Node.HoldsCommittedLog(2));
        Assert.False(net[1].Node.HoldsCommittedLog(3));
        Assert.False(net[1].Node.TryQuiesce());
        Assert.False(net[1].Node.TryQuiesce(id => id == 2));
        Assert.True(net[1].Node.TryQuiesce(id => id == 3));
        net.Stabilize();
        Assert.True(net[2].Node.IsQuiesced);
        net.ClearTraffic();

        // The transport reports the quiesce heartbeat to the member that is down as undelivered.
        net[1].Node.ReportUnreachable(3);
        net.TickAll(500);

        Assert.True(net[1].Node.IsQuiesced);
        Assert.Empty(net.Traffic);
        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
    }

    [Theory]
    [InlineData(new ulong[] { 4, 5 }, true)]
    [InlineData(new ulong[] { 3, 4, 5 }, false)]
    public void MembersSaidDownAreSkippedOnlyWhileTheOthersMakeAMajority(ulong[] down, bool quiesces)
    {
        var net = Network.WithLeader(5);
        net.Propose(1, "x");
        foreach (var id in down)
        {
            net.Ignore(id);
        }

        // A round that carries the commit of "x", answered by those still running.
        net.TickAll(2);

        Assert.Equal(quiesces, net[1].Node.TryQuiesce(down.Contains));
        Assert.Equal(quiesces, net[1].Node.IsQuiesced);
    }

    // A restarted member knows no leader and ticks towards an election: one quiesce heartbeat
    // tells it who leads and quiets it, and the rest of the group never wakes.
    [Fact]
    public void ARestartedMemberIsQuietenedByOneHeartbeatWithoutWakingTheGroup()
    {
        var net = QuiescedGroup();
        net[3].Restart();
        Assert.False(net[3].Node.IsQuiesced);
        Assert.Equal(0ul, net[3].Node.Lead);

        Assert.True(net[1].Node.SendQuiesceHeartbeat(3));
        net.Stabilize();

        Assert.True(net[3].Node.IsQuiesced);
        Assert.Equal(1ul, net[3].Node.Lead);
        Assert.True(net[1].Node.IsQuiesced);
        Assert.True(net[2].Node.IsQuiesced);
        Assert.Equal(1, net.Count(MessageType.Heartbeat));
        Assert.Equal(1, net.Count(MessageType.HeartbeatResponse));
        net.ClearTraffic();
        net.TickAll(100);
        Assert.Empty(net.Traffic);
    }

    // Left behind by a leader that quiesced without it, a member told by one quiesce heartbeat
    // answers that it lags, is sent what it lacks, and from then on counts like any other.
    [Fact]
    public void AMemberLeftBehindIsCaughtUpAfterOneQuiesceHeartbeat()
    {
        var net = GroupWithMember3Down();
        Assert.True(net[1].Node.TryQuiesce(id => id == 3));
        net.Stabilize();
        net[3].Restart();
        net.Unignore(3);
        Assert.True(net[3].Node.Committed < net[1].Node.LastIndex);

        Assert.True(net[1].Node.SendQuiesceHeartbeat(3));
        net.Stabilize();
        Assert.False(net[1].Node.IsQuiesced);
        net.TickAll(2);

        Assert.Equal(net[1].Node.LastIndex, net[3].Node.Committed);
        Assert.Equal(["x"], net[3].AppliedCommands);
        Assert.True(net[1].Node.HoldsCommittedLog(3));
        Assert.True(net[1].Node.TryQuiesce());
    }

    [Fact]
    public void OnlyAQuiescedLeaderSendsAQuiesceHeartbeatAndOnlyToAnotherMember()
    {
        var awake = Network.WithLeader(3);
        Assert.False(awake[1].Node.SendQuiesceHeartbeat(2));

        var net = QuiescedGroup();
        Assert.False(net[2].Node.SendQuiesceHeartbeat(3));
        Assert.False(net[1].Node.SendQuiesceHeartbeat(1));
        Assert.False(net[1].Node.SendQuiesceHeartbeat(9));
        net.Stabilize();
        Assert.Empty(net.Traffic);
    }

    [Fact]
    public void QuiesceIsRefusedOnAFollower()
    {
        var net = Network.WithLeader(3);

        Assert.False(net[2].Node.TryQuiesce());
    }

    [Fact]
    public void QuiescedGroupSendsNothingForHundredsOfTicks()
    {
        var net = QuiescedGroup();
        var terms = net.Members.Select(m => m.Node.Term).ToList();

        net.TickAll(500);

        Assert.Empty(net.Traffic);
        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
        Assert.Equal(terms, net.Members.Select(m => m.Node.Term));
    }

    [Fact]
    public void WithoutQuiescenceAnIdleGroupHeartbeatsEveryTick()
    {
        var net = Network.WithLeader(3);

        net.TickAll(500);

        Assert.Equal(1000, net.Count(MessageType.Heartbeat));
    }

    [Fact]
    public void ProposalWakesTheGroupAndCommits()
    {
        var net = QuiescedGroup();

        Assert.Equal(ProposalResult.Accepted, net.Propose(1, "y"));

        Assert.All(net.Members, m => Assert.False(m.Node.IsQuiesced));
        Assert.All(net.Members, m => Assert.Equal(["x", "y"], m.AppliedCommands));
        // The appends wake the followers; no heartbeat round on top of them.
        Assert.Equal(0, net.Count(MessageType.Heartbeat));
        Assert.Equal(4, net.Count(MessageType.Append, from: 1));
        net.ClearTraffic();
        net.TickAll(1);
        Assert.Equal(2, net.Count(MessageType.Heartbeat, from: 1));
    }

    [Fact]
    public void LeaseLeaderWokenByAProposalRegainsItsLeaseOnlyFromAFreshRound()
    {
        var (net, leader) = Network.WithLeaseLeader();
        Assert.True(leader.Node.TryQuiesce());
        net.Stabilize();

        Assert.Equal(ProposalResult.Accepted, net.Propose(leader.Id, "y"));
        Assert.False(leader.Node.LeaseValid);
        net.TickAll(1);

        Assert.True(leader.Node.LeaseValid);
    }

    [Fact]
    public void MessageToAFollowerWakesIt()
    {
        var net = QuiescedGroup();

        net[2].Node.ReadIndex(1);
        net.Stabilize();

        Assert.False(net[2].Node.IsQuiesced);
        Assert.False(net[1].Node.IsQuiesced);
        Assert.Single(net[2].ReadStates);
    }

    [Fact]
    public void QuiescedLeaderHoldsNoLease()
    {
        var (net, leader) = Network.WithLeaseLeader();
        Assert.True(leader.Node.LeaseValid);

        Assert.True(leader.Node.TryQuiesce());
        net.Stabilize();

        Assert.False(leader.Node.LeaseValid);
    }

    // Woken by a proposal, the leader sends appends and no heartbeat round: CheckQuorum still
    // needs answers to them within an election timeout.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WokenLeaderWithoutQuorumStepsDownWithinAnElectionTimeout(bool byProposal)
    {
        var net = QuiescedGroup();
        net.Isolate(1);

        if (byProposal)
        {
            Assert.Equal(ProposalResult.Accepted, net.Propose(1, "y"));
        }
        else
        {
            net[1].Node.Wake();
        }

        net.Tick(1, Et - 1);
        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
        net.Tick(1, 1);

        Assert.Equal(RaftRole.Follower, net[1].Node.Role);
    }

    [Fact]
    public void WokenFollowersElectASuccessorWhenTheLeaderIsGone()
    {
        var net = QuiescedGroup();
        net.Isolate(1);

        net[2].Node.Wake();
        net[3].Node.Wake();
        net.TickAll(3 * Et);

        Assert.NotNull(net.Leader);
        Assert.NotEqual(1UL, net.Leader!.Id);
    }
}
