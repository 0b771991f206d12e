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

    // Leader 1 quiesces; its quiesce heartbeat to the member is lost, which stays awake and uncommitted.
    private static void QuiescesLosingTheQuiesceHeartbeatTo(Network net, ulong member)
    {
        net.Intercept = m => m.To == member && (m.Flags & MessageFlags.Quiesce) != 0 ? null : m;
        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();
        net.Intercept = null;
        Assert.False(net[member].Node.IsQuiesced);
        Assert.True(net[member].Node.Committed < net[1].Node.LastIndex);
    }

    // A write to an idle group: the entry and its acknowledgements, then one quiesce heartbeat
    // per member that tells it the commit and is not answered.
    [Fact]
    public void AWriteToAnIdleGroupCostsItsAppendsAndOneUnansweredQuiesceHeartbeatPerMember()
    {
        var net = QuiescedGroup(ByHeartbeat);
        net.Propose(1, "y");
        Assert.False(net[1].Node.IsQuiesced);

        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();

        Assert.All(net.Members, m => Assert.True(m.Node.IsQuiesced));
        Assert.All(net.Members, m => Assert.Equal(net[1].Node.LastIndex, m.Node.Committed));
        Assert.Equal(2, net.Count(MessageType.Append));
        Assert.Equal(2, net.Count(MessageType.AppendResponse));
        Assert.Equal(2, net.Sent(MessageType.Heartbeat).Count(m => (m.Flags & MessageFlags.Quiesce) != 0));
        Assert.Equal(0, net.Count(MessageType.HeartbeatResponse));
        Assert.Equal(6, net.Traffic.Count);
    }

    // A plain heartbeat wakes the members, so the told quiesce no longer holds: the next one is sent again.
    [Fact]
    public void MembersWokenByAPlainRoundAreToldAgainWhenTheLeaderQuiescesNext()
    {
        var net = QuiescedGroup();
        net[1].Node.Wake();
        net.Stabilize();
        Assert.False(net[2].Node.IsQuiesced);
        net.ClearTraffic();

        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();

        Assert.Equal(2, net.Sent(MessageType.Heartbeat).Count(m => (m.Flags & MessageFlags.Quiesce) != 0));
        Assert.All(net.Members, m => Assert.True(m.Node.IsQuiesced));
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

        // This tick's heartbeat is answered by 3, which is then sent its missing entry.
        net.TickAll(1);
        Assert.Equal(net[1].Node.LastIndex, net[3].Node.LastIndex);
        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();
        Assert.Equal(net[1].Node.LastIndex, net[3].Node.Committed);
        Assert.True(net[3].Node.IsQuiesced);
    }

    // The voter's append woke it; without the quiesce heartbeat it times out, and its pre-vote
    // wakes the group, whose heartbeat tells it the commit. Nobody's term moves.
    [Fact]
    public void AVoterThatLosesTheQuiesceHeartbeatWakesTheGroupAndLearnsTheCommit()
    {
        var net = QuiescedGroup(ByHeartbeat);
        var term = net[1].Node.Term;
        net.Propose(1, "y");
        var last = net[1].Node.LastIndex;
        QuiescesLosingTheQuiesceHeartbeatTo(net, 3);

        net.TickAll(2 * Et);

        Assert.Equal(last, net[3].Node.Committed);
        Assert.Equal(["x", "y"], net[3].AppliedCommands);
        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
        Assert.All(net.Members, m => Assert.Equal(term, m.Node.Term));
        Assert.True(net[1].Node.TryQuiesce());
    }

    // A learner never campaigns: after an election timeout it asks its leader, which tells it
    // again without waking the group.
    [Fact]
    public void ALearnerThatLosesTheQuiesceHeartbeatAsksAndIsToldAgainWithoutWakingTheGroup()
    {
        var net = Network.WithLeader(3, ByHeartbeat, learners: [4]);
        net.Propose(1, "x");
        var last = net[1].Node.LastIndex;
        QuiescesLosingTheQuiesceHeartbeatTo(net, 4);
        net.ClearTraffic();

        net.TickAll(2 * Et);

        Assert.Equal(last, net[4].Node.Committed);
        Assert.Equal(["x"], net[4].AppliedCommands);
        Assert.True(net[4].Node.IsQuiesced);
        Assert.All(net.Members.Take(3), m => Assert.True(m.Node.IsQuiesced));
        Assert.Equal(1, net.Sent(MessageType.HeartbeatResponse).Count(m => m.From == 4 && (m.Flags & MessageFlags.Awake) != 0));
        Assert.Equal(1, net.Count(MessageType.Heartbeat));
        Assert.Equal(2, net.Traffic.Count);
    }

    // The leader of one voter promotes its learner and quiesces; the quiesce heartbeat, the only
    // message to carry the commit of the promotion, is lost. The member, still a learner in its own
    // eyes, asks after an election timeout and is told: it applies its promotion.
    [Fact]
    public void ALearnerPromotedByAQuiescingLeaderLearnsItsPromotionAfterALostQuiesceHeartbeat()
    {
        var net = Network.WithLeader(1, ByHeartbeat, learners: [2]);
        net.Propose(1, "x");
        Assert.Equal(ProposalResult.Accepted, net[1].Node.ProposeConfChange(ConfChange.Single(ConfChangeType.AddVoter, 2)));
        net.Stabilize();
        Assert.Equal([1UL, 2UL], net[1].Node.GetStatus().Config.Voters);
        QuiescesLosingTheQuiesceHeartbeatTo(net, 2);
        Assert.Equal([1UL], net[2].Node.GetStatus().Config.Voters);

        net.TickAll(2 * Et);

        Assert.Equal(net[1].Node.LastIndex, net[2].Node.Committed);
        Assert.Equal([1UL, 2UL], net[2].Node.GetStatus().Config.Voters);
        Assert.True(net[1].Node.IsQuiesced);
        Assert.True(net[2].Node.IsQuiesced);
        Assert.Equal(RaftRole.Leader, net[1].Node.Role);
    }

    // Asking is not hearing: a learner that heard nothing from its leader for an election timeout
    // no longer refuses votes on its behalf. Promoted in its leader's eyes but not yet in its own,
    // it may be the vote the next leader needs (a leader of two whose quorum check failed).
    [Fact]
    public void ALearnerThatAsksItsLeaderStillGrantsAPreVoteOnceItsLeaderIsSilent()
    {
        var net = Network.WithLeader(1, ByHeartbeat, learners: [2]);
        net.Propose(1, "x");
        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();
        net[2].Node.Wake();
        net.Ignore(1);
        net.TickAll(3 * Et);
        Assert.Contains(net.Traffic, m => m.From == 2 && (m.Flags & MessageFlags.Awake) != 0);
        net.ClearTraffic();

        net[2].Node.Step(new Message
        {
            Type = MessageType.PreVote, From = 1, To = 2, Term = net[2].Node.Term + 1, Index = net[2].Node.LastIndex, LogTerm = net[2].Node.Term,
        });
        net.Stabilize();

        var answer = Assert.Single(net.Sent(MessageType.PreVoteResponse, from: 2));
        Assert.False(answer.Reject);
    }

    // An awake leader's own heartbeats tell the learner: an unasked answer changes nothing there.
    [Fact]
    public void AnAwakeLeaderIgnoresALearnersAsking()
    {
        var net = Network.WithLeader(3, learners: [4]);
        net.ClearTraffic();

        net[1].Node.Step(new Message { Type = MessageType.HeartbeatResponse, From = 4, To = 1, Term = net[1].Node.Term, Flags = MessageFlags.Awake });
        net.Stabilize();

        Assert.Empty(net.Traffic);
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
        foreach (var id in down)
        {
            net.Ignore(id);
        }

        // "x" reaches only those still running.
        net.Propose(1, "x");

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
        Assert.Equal(0, net.Count(MessageType.HeartbeatResponse));
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
