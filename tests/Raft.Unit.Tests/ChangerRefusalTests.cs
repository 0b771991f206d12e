using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.ChangerFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Membership changes that can never be valid: each is refused with its reason, and nothing changes.</summary>
public class ChangerRefusalTests
{
    private const ConfChangeType AddVoter = ConfChangeType.AddVoter;
    private const ConfChangeType AddLearner = ConfChangeType.AddLearner;
    private const ConfChangeType Remove = ConfChangeType.RemoveNode;

    private static void Refused(ConfState cs, ConfChange cc, string message)
    {
        var t = Tracker(cs);

        // Apply checks that the tracker is untouched, thrown or not.
        var ex = Assert.Throws<InvalidConfChangeException>(() => Apply(t, cc));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void RemovingTheLastVoter() =>
        Refused(new ConfState([1UL]), ConfChange.Single(Remove, 1), "the change removes every voter");

    [Fact]
    public void RemovingTheLastVoterLeavingOnlyLearners() =>
        Refused(new ConfState([1UL], learners: [2UL]), ConfChange.Single(Remove, 1), "the change removes every voter");

    [Fact]
    public void DemotingTheLastVoter() =>
        Refused(new ConfState([1UL]), ConfChange.Single(AddLearner, 1), "the change removes every voter");

    [Fact]
    public void RemovingEveryVoterThroughAJointChange() =>
        Refused(new ConfState([1UL, 2]), Changes(ConfChangeTransition.JointImplicit, (Remove, 1), (Remove, 2)),
            "the change removes every voter");

    [Fact]
    public void AddingAPresentVoter() =>
        Refused(new ConfState([1UL, 2, 3]), ConfChange.Single(AddVoter, 2), "node 2 is already a voter");

    [Fact]
    public void AddingAPresentVoterInAJointChange() =>
        Refused(new ConfState([1UL, 2, 3]), Changes(ConfChangeTransition.Auto, (AddVoter, 4), (AddVoter, 4)),
            "node 4 is already a voter");

    [Fact]
    public void AddingAPresentLearner() =>
        Refused(new ConfState([1UL, 2, 3], learners: [4UL]), ConfChange.Single(AddLearner, 4), "node 4 is already a learner");

    [Fact]
    public void DemotingAVoterTwice() =>
        Refused(new ConfState([1UL, 2, 3]), Changes(ConfChangeTransition.Auto, (AddLearner, 3), (AddLearner, 3)),
            "node 3 is already a learner");

    [Theory]
    [InlineData(9UL)]
    [InlineData(4UL)]
    public void RemovingANonMember(ulong id) =>
        Refused(new ConfState([1UL, 2, 3]), ConfChange.Single(Remove, id), $"node {id} is not a member");

    [Theory]
    [InlineData(ConfChangeType.AddVoter)]
    [InlineData(ConfChangeType.AddLearner)]
    [InlineData(ConfChangeType.RemoveNode)]
    public void NodeIdZero(ConfChangeType type) =>
        Refused(new ConfState([1UL, 2, 3]), ConfChange.Single(type, 0), "node id 0 is not a valid member");

    [Fact]
    public void UnknownChangeType() =>
        Refused(new ConfState([1UL, 2, 3]), ConfChange.Single((ConfChangeType)7, 4), "unknown change type 7");

    [Fact]
    public void MoreThanOneVoterInASimpleChange()
    {
        var t = Tracker(new ConfState([1UL, 2, 3]));
        var before = Fingerprint(t);

        var add = Assert.Throws<InvalidConfChangeException>(() => new Changer(t, LastIndex).Simple([new(AddVoter, 4), new(AddVoter, 5)]));
        var swap = Assert.Throws<InvalidConfChangeException>(() => new Changer(t, LastIndex).Simple([new(AddVoter, 4), new(Remove, 1)]));

        Assert.Equal("more than one voter changed; use a joint configuration", add.Message);
        Assert.Equal("more than one voter changed; use a joint configuration", swap.Message);
        Assert.Equal(before, Fingerprint(t));
    }

    [Fact]
    public void EnteringJointWhileJoint() =>
        Refused(new ConfState([1UL, 2, 4], votersOutgoing: [1UL, 2, 3]),
            Changes(ConfChangeTransition.JointExplicit, (AddVoter, 5)),
            "the configuration is already joint; leave it before changing it again");

    [Fact]
    public void ASimpleChangeWhileJoint() =>
        Refused(new ConfState([1UL, 2, 4], votersOutgoing: [1UL, 2, 3]), ConfChange.Single(AddLearner, 5),
            "a simple change cannot be made in a joint configuration");

    [Fact]
    public void LeavingWhenNotJoint() =>
        Refused(new ConfState([1UL, 2, 3]), ConfChange.LeaveJoint, "the configuration is not joint, so it cannot be left");

    [Fact]
    public void EnteringJointWithoutVoters() =>
        Refused(ConfState.Empty, Changes(ConfChangeTransition.JointImplicit, (AddVoter, 1)),
            "a configuration without voters cannot become joint");
}
