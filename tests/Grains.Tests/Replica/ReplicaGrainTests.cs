using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;
using MultiRaft.Raft;

namespace MultiRaft.Grains.Tests.Replica;

/// <summary>The replica grain's bookkeeping of client operations around the Raft node.</summary>
public sealed class ReplicaGrainTests
{
    private static byte[] Put(string key, string value) =>
        CommandCodec.Encode(KvCommand.Put(0, 0, System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(value), KvLimits.Default));

    [Fact]
    public void A_proposal_completes_with_its_result_once_applied()
    {
        var group = new ReplicaGroup(3);
        var leader = group.Elect(1);
        ApplyOutcome? outcome = null;
        Assert.Equal(ProposalResult.Accepted, leader.Propose(Put("k", "v"), o => outcome = o));
        Assert.Null(outcome);
        group.Settle();
        Assert.NotNull(outcome);
        Assert.True(outcome.Value.Applied);
        var result = (KvResult)outcome.Value.Result!;
        Assert.Equal(KvStatus.Ok, result.Status);
        Assert.All(group.Grains.Values, g => Assert.Equal(result.Version, ((KvReplicaStateMachine)g.StateMachine).Kv.Get("k"u8)!.Version));
        Assert.Equal(0, leader.PendingCount);
    }

    [Fact]
    public void A_follower_refuses_to_track_a_proposal()
    {
        var group = new ReplicaGroup(3);
        group.Elect(1);
        var called = false;
        Assert.Equal(ProposalResult.NoLeader, group.Grains[2].Propose(Put("k", "v"), _ => called = true));
        group.Settle();
        Assert.False(called);
        Assert.Null(((KvReplicaStateMachine)group.Grains[2].StateMachine).Kv.Get("k"u8));
    }

    [Fact]
    public void A_proposal_overwritten_by_a_new_leader_is_reported_not_applied()
    {
        var group = new ReplicaGroup(3);
        var old = group.Elect(1);
        group.Isolated.Add(1);
        ApplyOutcome? outcome = null;
        Assert.Equal(ProposalResult.Accepted, old.Propose(Put("k", "lost"), o => outcome = o));
        group.Settle();
        Assert.Null(outcome); // no quorum: still pending

        group.ElectionTimeout(); // 2 or 3 takes over; the isolated 1 steps down (CheckQuorum)
        var successor = group.Grains.Values.Single(g => g.IsLeader && g.ReplicaId != 1);
        successor.Propose(Put("k", "won"), _ => { });
        group.Settle();
        group.Isolated.Clear();
        group.ElectionTimeout(); // the old leader hears the new term and takes the new log
        Assert.NotNull(outcome);
        Assert.False(outcome.Value.Applied);
        Assert.All(group.Grains.Values, g => Assert.Equal("won"u8.ToArray(), ((KvReplicaStateMachine)g.StateMachine).Kv.Get("k"u8)!.Value.ToArray()));
    }

    [Fact]
    public void A_read_is_served_only_after_the_leader_confirms_and_applies()
    {
        var group = new ReplicaGroup(3);
        var leader = group.Elect(1);
        leader.Propose(Put("k", "v1"), _ => { });
        group.Settle();
        bool? ready = null;
        Assert.Equal(ProposalResult.Accepted, leader.ReadIndex(ok => ready = ok));
        Assert.Null(ready); // needs a heartbeat round
        group.Settle();
        Assert.True(ready);
    }

    [Fact]
    public void A_deposed_leaders_pending_reads_fail_instead_of_answering()
    {
        var group = new ReplicaGroup(3);
        var old = group.Elect(1);
        group.Isolated.Add(1);
        bool? ready = null;
        Assert.Equal(ProposalResult.Accepted, old.ReadIndex(ok => ready = ok));
        group.Settle();
        Assert.Null(ready);
        group.ElectionTimeout(); // CheckQuorum: the isolated leader steps down
        Assert.False(old.IsLeader);
        Assert.False(ready);
    }

    [Fact]
    public void Trimmed_members_serve_the_next_write_and_read()
    {
        var group = new ReplicaGroup(3);
        var leader = group.Elect(1);
        leader.Propose(Put("k", "v1"), _ => { });
        group.Settle();
        // A read's heartbeat round, sent once everyone holds and the leader committed v1: each
        // member's answer shows it knows the commit, so the group may quiesce.
        leader.ReadIndex(_ => { });
        group.Settle();
        Assert.True(leader.Node.TryQuiesce());
        group.Settle();
        foreach (var g in group.Grains.Values)
        {
            g.TrimBuffers();
        }

        ApplyOutcome? written = null;
        bool? read = null;
        leader.Propose(Put("k", "v2"), o => written = o);
        leader.ReadIndex(ok => read = ok);
        group.Settle();

        Assert.True(written!.Value.Applied);
        Assert.True(read);
        Assert.Equal(0, leader.PendingCount);
        Assert.All(group.Grains.Values, g => Assert.Equal("v2"u8.ToArray(), ((KvReplicaStateMachine)g.StateMachine).Kv.Get("k"u8)!.Value.ToArray()));
    }

    [Fact]
    public void A_malformed_committed_entry_stops_the_replica()
    {
        var group = new ReplicaGroup(1);
        var leader = group.Elect(1);
        ApplyOutcome? outcome = null;
        leader.Propose(new byte[] { 0xFF, 0x00, 0x01 }, o => outcome = o);
        var rd = leader.Node.GetReady();
        Assert.Empty(rd.CommittedEntries.ToArray());
        group.StorageOf(1).Append(rd.Entries);
        leader.Node.Advance(); // a group of one commits on its own persistence
        rd = leader.Node.GetReady();
        Assert.Single(rd.CommittedEntries.ToArray());
        Assert.False(leader.ApplyCommitted(rd.CommittedEntries));
        Assert.NotNull(leader.FailureReason);
        Assert.Null(outcome);
    }
}
