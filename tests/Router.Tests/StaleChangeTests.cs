using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

/// <summary>
/// TESTING.md scenario 20: a router leader cut off by a partition plans from the state it had;
/// when it returns, its proposals reach the log only through the new leader, after what that
/// leader committed meanwhile. Every placement command is fenced by the shard's epoch, so a
/// change planned against the old state is refused, never applied on top of the new one.
/// </summary>
public sealed class StaleChangeTests
{
    [Fact]
    public void A_move_planned_before_a_partition_is_refused_after_the_new_leader_changed_the_shard()
    {
        var m = WithSilos(5, shards: 4);
        Converge(m, T0 + 100, new RouterPlannerOptions(BalanceLeaders: false));
        var shard = m.DataShards[0];
        var stale = shard.Epoch.Clone();
        var onS1 = shard.Replicas.Single(r => r.SiloId == "s1");
        var free = new[] { "s2", "s3", "s4", "s5" }.First(s => shard.Replicas.All(r => r.SiloId != s));
        // The old leader, partitioned, planned a move of s1's replica; the new leader moved another replica meanwhile.
        var planned = RouterCommands.MoveReplica(shard.ShardId, onS1.ReplicaId, free, stale, T0 + 200);
        var other = shard.Replicas.First(r => r.SiloId != "s1");
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.MoveReplica(shard.ShardId, other.ReplicaId, free, stale, T0 + 300)).Outcome);
        var after = m.State.Clone();

        var late = m.Next(planned);

        Assert.Equal(RouterRefusals.EpochMismatch, late.Reason);
        Assert.Equal(after, m.State);
    }

    [Fact]
    public void Every_placement_command_carries_the_epoch_it_was_planned_against()
    {
        var m = WithSilos(5, shards: 4);
        Converge(m, T0 + 100, new RouterPlannerOptions(BalanceLeaders: false));
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Register(Silo("s6"), T0 + 150)).Outcome);
        var shard = m.DataShards[1];
        var stale = shard.Epoch.Clone();
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.AddReplica(shard.ShardId, "s6", stale, ReplicaRole.Learner, T0 + 200)).Outcome);
        var learner = shard.Replicas.Single(r => r.SiloId == "s6").ReplicaId;
        var voter = shard.Replicas.First(r => r.Role == ReplicaRole.Voter).ReplicaId;
        var free = new[] { "s2", "s3", "s4", "s5" }.First(s => shard.Replicas.All(r => r.SiloId != s));
        var after = m.State.Clone();

        // Each kind, planned against the epoch before the learner was added, is refused.
        foreach (var command in new[]
                 {
                     RouterCommands.AddReplica(shard.ShardId, free, stale, ReplicaRole.Learner, T0 + 300),
                     RouterCommands.SetRole(shard.ShardId, learner, ReplicaRole.Voter, stale, T0 + 300),
                     RouterCommands.RemoveReplica(shard.ShardId, voter, learner, stale, T0 + 300),
                     RouterCommands.MoveReplica(shard.ShardId, voter, free, stale, T0 + 300),
                 })
        {
            Assert.Equal(RouterRefusals.EpochMismatch, m.Next(command).Reason);
        }

        Assert.Equal(after, m.State);
    }
}
