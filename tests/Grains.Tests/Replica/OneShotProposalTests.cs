using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;

namespace MultiRaft.Grains.Tests.Replica;

/// <summary>
/// A session-less proposal is proposed at most once, and a waiter that gives up learns whether it
/// can still apply.
/// </summary>
public sealed class OneShotProposalTests
{
    private static byte[] Put(string key, string value) =>
        CommandCodec.Encode(KvCommand.Put(0, 0, System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(value), KvLimits.Default));

    private static KvItem? Read(ReplicaMember g, string key) =>
        ((KvReplicaStateMachine)g.StateMachine).Kv.Get(System.Text.Encoding.UTF8.GetBytes(key));

    [Fact]
    public async Task On_the_leader_it_applies_once_and_reports_the_result()
    {
        var group = new ReplicaGroup(3);
        var leader = group.Elect(1);
        var p = new OneShotProposal(Put("k", "v"));
        p.Run(leader);
        Assert.False(p.Outcome.IsCompleted);
        group.Settle();

        Assert.True(p.Outcome.IsCompletedSuccessfully);
        var outcome = await p.Outcome;
        Assert.True(outcome.Applied);
        var result = (KvResult)outcome.Result!;
        Assert.Equal(KvStatus.Ok, result.Status);
        Assert.All(group.Grains.Values, g => Assert.Equal(result.Version, Read(g, "k")!.Version));
        Assert.False(p.TryAbandon()); // it was proposed: giving up cannot make it "not applied"
    }

    [Fact]
    public async Task Expiring_the_wait_fails_the_outcome_but_leaves_the_proposal_to_apply()
    {
        var group = new ReplicaGroup(3);
        var leader = group.Elect(1);
        var p = new OneShotProposal(Put("k", "v"));
        p.Run(leader);
        p.Expire();

        await Assert.ThrowsAsync<TimeoutException>(() => p.Outcome);
        Assert.False(p.TryAbandon()); // proposed before the wait ended: its outcome is unknown to the waiter
        group.Settle();
        Assert.All(group.Grains.Values, g => Assert.NotNull(Read(g, "k")));
    }

    [Fact]
    public async Task Expiring_after_the_outcome_changes_nothing()
    {
        var group = new ReplicaGroup(3);
        var leader = group.Elect(1);
        var p = new OneShotProposal(Put("k", "v"));
        p.Run(leader);
        group.Settle();
        p.Expire();

        Assert.True((await p.Outcome).Applied);
    }

    [Fact]
    public async Task On_a_follower_it_is_not_applied_at_once_and_never_proposed()
    {
        var group = new ReplicaGroup(3);
        group.Elect(1);
        var p = new OneShotProposal(Put("k", "v"));
        p.Run(group.Grains[2]);

        Assert.True(p.Outcome.IsCompletedSuccessfully);
        Assert.False((await p.Outcome).Applied);
        group.Settle();
        Assert.All(group.Grains.Values, g => Assert.Null(Read(g, "k")));
    }

    [Fact]
    public async Task Abandoned_before_its_turn_it_is_never_proposed()
    {
        var group = new ReplicaGroup(3);
        var leader = group.Elect(1);
        var p = new OneShotProposal(Put("k", "v"));
        Assert.True(p.TryAbandon());
        Assert.True(p.TryAbandon()); // asking again gives the same answer

        p.Run(leader);
        group.Settle();
        Assert.False((await p.Outcome).Applied);
        Assert.All(group.Grains.Values, g => Assert.Null(Read(g, "k")));
        Assert.Equal(0, leader.PendingCount);
    }

    [Fact]
    public async Task Without_a_quorum_it_stays_unknown_until_a_new_leader_overwrites_it()
    {
        var group = new ReplicaGroup(3);
        var old = group.Elect(1);
        group.Isolated.Add(1);
        var p = new OneShotProposal(Put("k", "lost"));
        p.Run(old);
        group.Settle();
        Assert.False(p.Outcome.IsCompleted);
        Assert.False(p.TryAbandon());

        group.ElectionTimeout();
        var successor = group.Grains.Values.Single(g => g.IsLeader && g.ReplicaId != 1);
        successor.Propose(Put("k", "won"), _ => { });
        group.Settle();
        group.Isolated.Clear();
        group.ElectionTimeout();
        Assert.True(p.Outcome.IsCompletedSuccessfully);
        Assert.False((await p.Outcome).Applied);
    }
}
