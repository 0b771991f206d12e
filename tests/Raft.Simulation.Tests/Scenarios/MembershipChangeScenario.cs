using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests.Scenarios;

/// <summary>
/// TESTING.md scenario 22 (etcd, Jepsen): add, remove and replace members under traffic, with
/// learners and joint consensus, including removing the leader and re-adding a member whose disk
/// was wiped (under a new id: ids are never reused). Every change runs while a client writes
/// every 10 ms; the harness checks the invariants throughout.
/// </summary>
public sealed class MembershipChangeScenario
{
    private const long Bound = 3_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_learner_catches_up_under_traffic_and_is_promoted_to_voter(int seed)
    {
        var c = Group(seed, out var leader);
        var learner = c.CreateMember();
        Change(c, ConfChange.Single(ConfChangeType.AddLearner, learner), cs => cs.Learners.Contains(learner));
        Assert.True(c.RunWithTraffic(() => c[learner].StateMachine.AppliedIndex >= leader.Running.Committed, Bound));

        Change(c, ConfChange.Single(ConfChangeType.AddVoter, learner), cs => cs.Voters.Contains(learner) && cs.Learners.Count == 0);
        c.SettleAndAssertConverged();
        Assert.Equal(4, c.Leader!.ConfState.Voters.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Removing_a_follower_under_traffic_shrinks_the_group(int seed)
    {
        var c = Group(seed, out var leader);
        var gone = c.Running.First(n => n != leader).Id;
        Change(c, ConfChange.Single(ConfChangeType.RemoveNode, gone), cs => !cs.Contains(gone));
        Assert.True(c.RunWithTraffic(() => c[gone].IsRemoved, Bound));
        c.SettleAndAssertConverged();
        Assert.Equal(2, c.Leader!.ConfState.Voters.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Removing_the_leader_under_traffic_hands_the_group_to_a_remaining_voter(int seed)
    {
        var c = Group(seed, out var leader);
        Assert.Equal(ProposalResult.Accepted, leader.Running.ProposeConfChange(ConfChange.Single(ConfChangeType.RemoveNode, leader.Id)));
        Assert.True(c.RunWithTraffic(() => c.Leader is { } l && l != leader && !l.ConfState.Contains(leader.Id), Bound), c.ToString());
        var before = c.Checker.AcknowledgedIds.Count;
        Assert.True(c.RunWithTraffic(() => c.Checker.AcknowledgedIds.Count >= before + 20, Bound));
        c.SettleAndAssertConverged();
        Assert.True(leader.IsRemoved);
    }

    [Theory]
    [InlineData(ConfChangeTransition.JointImplicit)]
    [InlineData(ConfChangeTransition.JointExplicit)]
    public void Replacing_a_voter_goes_through_a_joint_configuration_and_out_of_it(ConfChangeTransition transition)
    {
        var c = Group(1, out var leader);
        var old = c.Running.First(n => n != leader).Id;
        var fresh = c.CreateMember();
        var cc = new ConfChange(transition,
            [new ConfChangeSingle(ConfChangeType.AddVoter, fresh), new ConfChangeSingle(ConfChangeType.RemoveNode, old)]);
        var changesBefore = c.Stats.ConfChangesApplied;
        Change(c, cc, cs => cs.Voters.Contains(fresh));

        if (transition == ConfChangeTransition.JointExplicit)
        {
            // Explicit: the joint configuration stays until the application leaves it.
            c.RunFor(500);
            Assert.True(c.Leader!.ConfState.IsJoint);
            Change(c, ConfChange.LeaveJoint, cs => !cs.IsJoint);
        }

        Assert.True(c.RunWithTraffic(() => c.Leader is { ConfState.IsJoint: false } l && !l.ConfState.Contains(old), Bound));
        c.SettleAndAssertConverged();
        var voters = c.Leader!.ConfState.Voters;
        Assert.Equal(3, voters.Count);
        Assert.Contains(fresh, voters);
        Assert.DoesNotContain(old, voters);

        // Entering and leaving the joint configuration: two changes, applied by at least the
        // leader and the remaining old voter.
        Assert.True(c.Stats.ConfChangesApplied - changesBefore >= 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_member_whose_disk_was_wiped_rejoins_under_a_new_id(int seed)
    {
        var c = Group(seed, out var leader);
        var wiped = c.Running.First(n => n != leader).Id;

        // Its disk is gone: it is removed, and the machine comes back as a new, empty member.
        c.Crash(wiped);
        Change(c, ConfChange.Single(ConfChangeType.RemoveNode, wiped), cs => !cs.Contains(wiped));
        var again = c.CreateMember();
        Assert.True(again > wiped);
        Change(c, ConfChange.Single(ConfChangeType.AddVoter, again), cs => cs.Voters.Contains(again));

        c.SettleAndAssertConverged();
        Assert.Equal(c.Checker.AcknowledgedIds, c[again].StateMachine.Ids);
        Assert.True(c[again].Storage.DurableSnapshotIndex > 0, "the new member started from a snapshot");
        Assert.False(c.Leader!.ConfState.Contains(wiped));
    }

    private static SimCluster Group(int seed, out SimNode leader)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 3, SnapshotEvery = 50, MaxDelayMs = 5 });
        leader = c.WaitForLeader();
        Assert.True(c.RunWithTraffic(() => c.Checker.AcknowledgedIds.Count >= 30, Bound));
        return c;
    }

    /// <summary>Proposes a change at the leader (retrying while another is pending) and waits, under traffic, until the leader applied it.</summary>
    private static void Change(SimCluster c, ConfChange cc, Func<ConfState, bool> applied)
    {
        var proposed = false;
        Assert.True(c.RunWithTraffic(() =>
        {
            if (!proposed && c.Leader is { } l)
            {
                proposed = l.Running.ProposeConfChange(cc) == ProposalResult.Accepted;
            }

            return proposed && c.Leader is { } now && applied(now.ConfState);
        }, Bound), $"{cc} was not applied: {c}");
    }
}
