using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.ChangerFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Membership changes that succeed: simple, entering and leaving joint (thesis §4.3), promotions and demotions.</summary>
public class ChangerTests
{
    private const ConfChangeType AddVoter = ConfChangeType.AddVoter;
    private const ConfChangeType AddLearner = ConfChangeType.AddLearner;
    private const ConfChangeType Remove = ConfChangeType.RemoveNode;

    [Fact]
    public void Simple_AddVoterGetsAFreshProgress()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cs, prs) = Apply(t, ConfChange.Single(AddVoter, 4));

        Assert.Equal(new ConfState([1UL, 2, 3, 4]), cs);
        var p = prs[4];
        Assert.Equal((0UL, LastIndex + 1), (p.Match, p.Next));
        Assert.Equal(ProgressState.Probe, p.State);
        Assert.False(p.IsLearner);
        // A new member is not counted as silent before it had a chance to answer.
        Assert.True(p.RecentActive);
        // Existing members keep their progress.
        Assert.Equal(3UL, prs[3].Match);
    }

    [Fact]
    public void Simple_RemoveVoterDropsItsProgress()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cs, prs) = Apply(t, ConfChange.Single(Remove, 3));

        Assert.Equal(new ConfState([1UL, 2]), cs);
        Assert.Equal(new ulong[] { 1, 2 }, prs.Keys.Order());
    }

    [Fact]
    public void Simple_AddLearner()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cs, prs) = Apply(t, ConfChange.Single(AddLearner, 4));

        Assert.Equal(new ConfState([1UL, 2, 3], learners: [4UL]), cs);
        Assert.True(prs[4].IsLearner);
    }

    [Fact]
    public void Simple_RemoveLearner()
    {
        var t = Tracker(new ConfState([1UL, 2, 3], learners: [4UL]));

        var (cs, prs) = Apply(t, ConfChange.Single(Remove, 4));

        Assert.Equal(new ConfState([1UL, 2, 3]), cs);
        Assert.False(prs.ContainsKey(4));
    }

    [Fact]
    public void Simple_PromoteLearnerKeepsItsProgress()
    {
        var t = Tracker(new ConfState([1UL, 2, 3], learners: [4UL]));

        var (cs, prs) = Apply(t, ConfChange.Single(AddVoter, 4));

        Assert.Equal(new ConfState([1UL, 2, 3, 4]), cs);
        Assert.False(prs[4].IsLearner);
        Assert.Equal((4UL, 5UL), (prs[4].Match, prs[4].Next));
    }

    [Fact]
    public void Simple_DemoteVoterToLearner()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cs, prs) = Apply(t, ConfChange.Single(AddLearner, 3));

        Assert.Equal(new ConfState([1UL, 2], learners: [3UL]), cs);
        Assert.True(prs[3].IsLearner);
        Assert.Equal(3UL, prs[3].Match);
    }

    [Fact]
    public void Simple_SeveralLearnersAndOneVoterAtOnce()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cfg, _) = new Changer(t, LastIndex).Simple(
            [new(AddLearner, 4), new(AddLearner, 5), new(AddVoter, 6)]);

        Assert.Equal(new ConfState([1UL, 2, 3, 6], learners: [4UL, 5]), cfg.ToConfState());
    }

    [Theory]
    [InlineData(ConfChangeTransition.Auto, true)]
    [InlineData(ConfChangeTransition.JointImplicit, true)]
    [InlineData(ConfChangeTransition.JointExplicit, false)]
    public void EnterJoint_AutoLeaveFollowsTheTransition(ConfChangeTransition transition, bool autoLeave)
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cs, prs) = Apply(t, Changes(transition, (AddVoter, 4), (Remove, 1)));

        Assert.Equal(new ConfState([2UL, 3, 4], votersOutgoing: [1UL, 2, 3], autoLeave: autoLeave), cs);
        // 1 still votes in the outgoing half, so it keeps its progress until the joint state is left.
        Assert.Equal(new ulong[] { 1, 2, 3, 4 }, prs.Keys.Order());
        Assert.Equal(1UL, prs[1].Match);
    }

    [Fact]
    public void EnterJoint_ASingleChangeCanBeJointToo()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cs, _) = Apply(t, Changes(ConfChangeTransition.JointExplicit, (AddVoter, 4)));

        Assert.Equal(new ConfState([1UL, 2, 3, 4], votersOutgoing: [1UL, 2, 3]), cs);
        Assert.True(cs.IsJoint);
    }

    [Fact]
    public void EnterJoint_DemotionWaitsInLearnersNext()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cs, prs) = Apply(t, Changes(ConfChangeTransition.JointImplicit, (AddLearner, 3)));

        Assert.Equal(new ConfState([1UL, 2], votersOutgoing: [1UL, 2, 3], learnersNext: [3UL], autoLeave: true), cs);
        // It still votes in the outgoing configuration.
        Assert.False(prs[3].IsLearner);
    }

    [Fact]
    public void EnterJoint_ReplaceAVoter()
    {
        var t = Tracker(new ConfState([1UL, 2, 3], learners: [4UL]));

        var (cs, prs) = Apply(t, Changes(ConfChangeTransition.Auto, (AddVoter, 4), (AddLearner, 3)));

        Assert.Equal(new ConfState([1UL, 2, 4], votersOutgoing: [1UL, 2, 3], learnersNext: [3UL], autoLeave: true), cs);
        Assert.False(prs[4].IsLearner);
    }

    [Fact]
    public void EnterJoint_RemoveThenReAddAsLearner()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cs, _) = Apply(t, Changes(ConfChangeTransition.JointImplicit, (Remove, 3), (AddLearner, 3)));

        Assert.Equal(new ConfState([1UL, 2], votersOutgoing: [1UL, 2, 3], learnersNext: [3UL], autoLeave: true), cs);
    }

    [Fact]
    public void EnterJoint_DemoteThenPromoteAgainIsNoDemotion()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));

        var (cs, prs) = Apply(t, Changes(ConfChangeTransition.JointExplicit, (AddLearner, 3), (AddVoter, 3)));

        Assert.Equal(new ConfState([1UL, 2, 3], votersOutgoing: [1UL, 2, 3]), cs);
        Assert.False(prs[3].IsLearner);
    }

    [Fact]
    public void LeaveJoint_DropsOutgoingOnlyVoters()
    {
        var t = Tracker(new ConfState([2UL, 3, 4], votersOutgoing: [1UL, 2, 3], autoLeave: true));

        var (cs, prs) = Apply(t, ConfChange.LeaveJoint);

        Assert.Equal(new ConfState([2UL, 3, 4]), cs);
        Assert.Equal(new ulong[] { 2, 3, 4 }, prs.Keys.Order());
    }

    [Fact]
    public void LeaveJoint_LearnersNextBecomeLearners()
    {
        var t = Tracker(new ConfState([1UL, 2], votersOutgoing: [1UL, 2, 3], learners: [5UL], learnersNext: [3UL]));

        var (cs, prs) = Apply(t, ConfChange.LeaveJoint);

        Assert.Equal(new ConfState([1UL, 2], learners: [3UL, 5]), cs);
        Assert.True(prs[3].IsLearner);
        Assert.Equal(3UL, prs[3].Match);
        Assert.True(prs[5].IsLearner);
    }

    [Fact]
    public void EnterThenLeave_RoundTrip()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));
        var (cfg, prs) = new Changer(t, LastIndex).Apply(Changes(ConfChangeTransition.Auto, (AddVoter, 4), (AddVoter, 5), (Remove, 1)));
        t.Set(cfg, prs);

        var (cs, after) = Apply(t, ConfChange.LeaveJoint);

        Assert.Equal(new ConfState([2UL, 3, 4, 5]), cs);
        Assert.Equal(new ulong[] { 2, 3, 4, 5 }, after.Keys.Order());
    }
}
