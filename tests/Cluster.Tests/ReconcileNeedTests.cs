using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;
using MultiRaft.Silo.Cluster;

namespace MultiRaft.Cluster.Tests;

public sealed class ReconcileNeedTests
{
    private static ReplicaDescriptor Voter(ulong id) => new() { ReplicaId = id, SiloId = "s" + id, Role = ReplicaRole.Voter };

    private static ReplicaDescriptor Learner(ulong id) => new() { ReplicaId = id, SiloId = "s" + id, Role = ReplicaRole.Learner };

    private static bool Needed(ConfState conf, ReplicaDescriptor[] desired, bool leads = true, HashSet<ulong>? handOffTo = null, ulong prefer = 0) =>
        ReconcileNeed.Needed(leads, 1, conf, desired, handOffTo, prefer);

    [Fact]
    public void A_leader_whose_configuration_is_the_map_has_nothing_to_do()
    {
        Assert.False(Needed(new ConfState([1, 2, 3]), [Voter(1), Voter(2), Voter(3)]));
        Assert.False(Needed(new ConfState([1, 2, 3], learners: [4]), [Voter(1), Voter(2), Voter(3), Learner(4)]));
    }

    [Fact]
    public void A_follower_is_never_reconciled_whatever_differs()
    {
        Assert.False(Needed(new ConfState([1, 2, 3]), [Voter(1), Voter(2), Voter(4)], leads: false, handOffTo: [2, 3], prefer: 2));
    }

    [Theory]
    [InlineData("a listed replica outside the configuration", new ulong[] { 1, 2, 3 }, new ulong[0], new ulong[] { 1, 2, 3, 4 }, new ulong[0])]
    [InlineData("a learner the map wants a voter", new ulong[] { 1, 2, 3 }, new ulong[] { 4 }, new ulong[] { 1, 2, 3, 4 }, new ulong[0])]
    [InlineData("a voter the map dropped", new ulong[] { 1, 2, 3 }, new ulong[0], new ulong[] { 1, 2 }, new ulong[0])]
    [InlineData("a learner the map dropped", new ulong[] { 1, 2, 3 }, new ulong[] { 4 }, new ulong[] { 1, 2, 3 }, new ulong[0])]
    [InlineData("a learner not added yet", new ulong[] { 1, 2, 3 }, new ulong[0], new ulong[] { 1, 2, 3 }, new ulong[] { 5 })]
    public void A_leader_whose_configuration_differs_from_the_map_is_reconciled(string why, ulong[] voters, ulong[] learners, ulong[] wantVoters,
        ulong[] wantLearners)
    {
        var desired = wantVoters.Select(Voter).Concat(wantLearners.Select(Learner)).ToArray();

        Assert.True(Needed(new ConfState(voters, learners: learners), desired), why);
    }

    [Fact]
    public void A_voter_the_map_wants_a_learner_is_left_alone_as_the_reconciler_leaves_it()
    {
        Assert.False(Needed(new ConfState([1, 2, 3]), [Voter(1), Voter(2), Learner(3)]));
    }

    [Fact]
    public void A_joint_configuration_goes_to_the_worker()
    {
        var joint = new ConfState([1, 2, 4], votersOutgoing: [1, 2, 3], autoLeave: true);

        Assert.True(Needed(joint, [Voter(1), Voter(2), Voter(4)]));
    }

    [Fact]
    public void An_empty_replica_list_is_no_instruction()
    {
        Assert.False(Needed(new ConfState([1, 2, 3]), []));
    }

    [Fact]
    public void A_draining_leader_is_reconciled_while_another_voter_could_take_over()
    {
        var conf = new ConfState([1, 2, 3]);
        ReplicaDescriptor[] desired = [Voter(1), Voter(2), Voter(3)];

        Assert.True(Needed(conf, desired, handOffTo: [2]));
        Assert.False(Needed(conf, desired, handOffTo: []));
        Assert.False(Needed(conf, desired, handOffTo: [1, 7]));
    }

    [Fact]
    public void A_preferred_leader_that_is_another_voter_asks_for_a_transfer()
    {
        var conf = new ConfState([1, 2, 3], learners: [4]);
        ReplicaDescriptor[] desired = [Voter(1), Voter(2), Voter(3), Learner(4)];

        Assert.True(Needed(conf, desired, prefer: 2));
        Assert.False(Needed(conf, desired, prefer: 1));
        Assert.False(Needed(conf, desired, prefer: 4));
        Assert.False(Needed(conf, desired, prefer: 9));
    }

    [Fact]
    public void Every_shard_gets_exactly_one_safety_net_pass_in_every_run_of_passes()
    {
        for (ulong shard = 0; shard < 200; shard++)
        {
            var due = Enumerable.Range(1, (int)ReconcileNeed.SafetyNetPasses).Count(p => ReconcileNeed.SafetyNetDue(shard, (ulong)p + 1234));

            Assert.Equal(1, due);
        }

        Assert.Equal(4, Enumerable.Range(0, 200).Count(s => ReconcileNeed.SafetyNetDue((ulong)s, 7)));
    }

    [Fact]
    public void When_no_reconciliation_is_needed_the_reconciler_has_no_step_whatever_the_progress()
    {
        // Cross-checks the cheap decision against the reconciler itself on random configurations
        // and maps: "not needed" must mean the worker would have done nothing.
        var random = new Random(15);
        var notNeeded = 0;
        for (var i = 0; i < 5000; i++)
        {
            var ids = Enumerable.Range(1, 5).Select(x => (ulong)x).ToArray();
            var voters = ids.Where(_ => random.Next(2) == 0).Append(1UL).Distinct().ToArray();
            var learners = ids.Except(voters).Where(_ => random.Next(3) == 0).ToArray();
            var desired = ids.Where(_ => random.Next(3) > 0)
                .Select(id => random.Next(3) == 0 ? Learner(id) : Voter(id)).ToArray();
            var conf = new ConfState(voters, learners: learners);
            var match = new Dictionary<ulong, ulong>();
            foreach (var id in ids)
            {
                match[id] = (ulong)random.Next(0, 300);
            }

            if (Needed(conf, desired))
            {
                continue;
            }

            notNeeded++;
            var step = MembershipReconciler.Next(1, conf, desired, id => match[id], committed: 200);
            Assert.Null(step.Change);
            Assert.Equal(0UL, step.TransferTo);
        }

        Assert.True(notNeeded > 100, $"only {notNeeded} random cases were settled");
    }
}
