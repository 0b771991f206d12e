using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;
using MultiRaft.Silo.Cluster;

namespace MultiRaft.Cluster.Tests;

public sealed class MembershipReconcilerTests
{
    private const ulong Committed = 1000;

    private static ReplicaDescriptor Voter(ulong id) => new() { ReplicaId = id, SiloId = "s" + id, Role = ReplicaRole.Voter };

    private static ReplicaDescriptor Learner(ulong id) => new() { ReplicaId = id, SiloId = "s" + id, Role = ReplicaRole.Learner };

    private static MembershipStep Next(ConfState conf, ReplicaDescriptor[] desired, Func<ulong, ulong>? match = null, ulong self = 1) =>
        MembershipReconciler.Next(self, conf, desired, match ?? (_ => Committed), Committed);

    private static string Describe(MembershipStep step) =>
        step.Change?.ToString() ?? (step.TransferTo != 0 ? "transfer to " + step.TransferTo : "none");

    [Fact]
    public void A_listed_replica_outside_the_configuration_joins_as_a_learner()
    {
        var step = Next(new ConfState([1, 2, 3]), [Voter(1), Voter(2), Voter(3), Learner(4)]);

        Assert.Equal("Auto: AddLearner 4", Describe(step));
    }

    [Fact]
    public void A_caught_up_replacement_and_the_voter_it_replaces_swap_in_one_joint_change()
    {
        var step = Next(new ConfState([1, 2, 3], learners: [4]), [Voter(1), Voter(2), Voter(4)]);

        Assert.Equal("Auto: AddVoter 4, RemoveNode 3", Describe(step));
        Assert.Equal(2, step.Change!.Changes.Count);
    }

    [Fact]
    public void A_lagging_replacement_keeps_the_leaving_voter_in_place()
    {
        var step = Next(new ConfState([1, 2, 3], learners: [4]), [Voter(1), Voter(2), Voter(4)],
            match: id => id == 4 ? Committed - MembershipReconciler.CatchUpSlack - 1 : Committed);

        Assert.Equal("none", Describe(step));
    }

    [Fact]
    public void A_learner_that_has_received_nothing_is_not_caught_up_even_at_commit_index_zero()
    {
        var step = MembershipReconciler.Next(1, new ConfState([1, 2], learners: [3]), [Voter(1), Voter(2), Voter(3)],
            id => id == 3 ? 0UL : 5UL, committed: 5);

        Assert.Equal("none", Describe(step));
    }

    [Fact]
    public void A_caught_up_learner_the_router_wants_a_voter_is_promoted()
    {
        var step = Next(new ConfState([1, 2], learners: [3]), [Voter(1), Voter(2), Voter(3)],
            match: id => id == 3 ? Committed - MembershipReconciler.CatchUpSlack : Committed);

        Assert.Equal("Auto: AddVoter 3", Describe(step));
    }

    [Fact]
    public void A_learner_the_router_dropped_goes_at_once()
    {
        var step = Next(new ConfState([1, 2, 3], learners: [4]), [Voter(1), Voter(2), Voter(3)]);

        Assert.Equal("Auto: RemoveNode 4", Describe(step));
    }

    [Fact]
    public void A_voter_the_router_dropped_with_no_replacement_leaves_alone()
    {
        var step = Next(new ConfState([1, 2, 3, 4]), [Voter(1), Voter(2), Voter(3)]);

        Assert.Equal("Auto: RemoveNode 4", Describe(step));
    }

    [Fact]
    public void A_leader_that_is_leaving_hands_over_to_a_caught_up_voter_first()
    {
        var step = Next(new ConfState([1, 2, 3], learners: [4]), [Voter(2), Voter(3), Voter(4)],
            match: id => id == 2 ? Committed - 1 : Committed);

        Assert.Equal("transfer to 3", Describe(step));
    }

    // A small log (an idle shard's) is within the slack of a match of 0: that is a voter that
    // answered nothing to this leader (down, or not heard yet), and gets no leadership.
    [Theory]
    [InlineData(900ul, 1000ul, false, true)]
    [InlineData(899ul, 1000ul, false, false)]
    [InlineData(0ul, 12ul, false, false)]
    [InlineData(1ul, 12ul, false, true)]
    [InlineData(12ul, 12ul, true, false)]
    public void Leadership_goes_back_to_the_preferred_voter_only_once_it_answered_nearly_everything_from_a_silo_not_silent(
        ulong match, ulong committed, bool silent, bool handsBack)
    {
        var conf = new ConfState([1, 2, 3]);

        Assert.Equal(handsBack, MembershipReconciler.HandBackTo(1, conf, 3, id => id == 3 ? match : committed, committed, id => silent && id == 3));
    }

    [Fact]
    public void Leadership_is_never_handed_back_to_itself_a_learner_or_nobody()
    {
        var conf = new ConfState([1, 2, 3], learners: [4]);

        Assert.False(MembershipReconciler.HandBackTo(1, conf, 1, _ => Committed, Committed, _ => false));
        Assert.False(MembershipReconciler.HandBackTo(1, conf, 4, _ => Committed, Committed, _ => false));
        Assert.False(MembershipReconciler.HandBackTo(1, conf, 0, _ => Committed, Committed, _ => false));
    }

    [Fact]
    public void Nothing_while_joint_when_settled_or_without_a_list()
    {
        var joint = new ConfState([1, 2, 4], votersOutgoing: [1, 2, 3]);

        Assert.Equal("none", Describe(Next(joint, [Voter(1), Voter(2), Voter(4)])));
        Assert.Equal("none", Describe(Next(new ConfState([1, 2, 3]), [Voter(1), Voter(2), Voter(3)])));
        Assert.Equal("none", Describe(Next(new ConfState([1, 2, 3]), [])));
    }
}
