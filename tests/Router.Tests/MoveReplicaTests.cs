using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class MoveReplicaTests
{
    /// <summary>Four silos; shard 3 on s1, s2, s3 (voters), s4 empty.</summary>
    private static (RouterStateMachine Machine, ShardDescriptor Shard) ThreeVoters()
    {
        var m = WithSilos(4);
        m.Next(RouterCommands.AddReplica(3, "s2", m.FindShard(3)!.Epoch, ReplicaRole.Voter, T0 + 10));
        m.Next(RouterCommands.AddReplica(3, "s3", m.FindShard(3)!.Epoch, ReplicaRole.Voter, T0 + 11));
        return (m, m.FindShard(3)!);
    }

    [Fact]
    public void A_move_swaps_the_replica_for_a_new_voter_on_the_target_and_bumps_conf_ver_once()
    {
        var (m, shard) = ThreeVoters();
        var s2 = shard.Replicas.Single(r => r.SiloId == "s2").ReplicaId;
        var next = m.State.NextReplicaId;
        var confVer = shard.Epoch.ConfVer;

        var result = m.Next(RouterCommands.MoveReplica(3, s2, "s4", shard.Epoch, T0 + 20));

        Assert.Equal(new RouterResult(RouterOutcome.Applied, null, next), result);
        Assert.Equal([("s1", ReplicaRole.Voter), ("s3", ReplicaRole.Voter), ("s4", ReplicaRole.Voter)],
            shard.Replicas.Select(r => (r.SiloId, r.Role)));
        Assert.Equal(next, shard.Replicas[^1].ReplicaId);
        Assert.Equal(confVer + 1, shard.Epoch.ConfVer);
    }

    [Fact]
    public void Moving_the_preferred_leader_forgets_the_preference()
    {
        var (m, shard) = ThreeVoters();
        var s2 = shard.Replicas.Single(r => r.SiloId == "s2").ReplicaId;
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.SetPreferredLeader(3, s2, true, T0 + 15)).Outcome);

        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.MoveReplica(3, s2, "s4", shard.Epoch, T0 + 20)).Outcome);

        Assert.Equal(0UL, shard.PreferredLeader);
        Assert.False(shard.LeaderPinned);
    }

    [Fact]
    public void Move_refusals_leave_the_state_alone()
    {
        var (m, shard) = ThreeVoters();
        var s2 = shard.Replicas.Single(r => r.SiloId == "s2").ReplicaId;
        m.Next(RouterCommands.Register(Silo("s5"), T0 + 12));
        m.Next(RouterCommands.Drain("s5", T0 + 13));
        var before = m.State.Clone();
        var stale = new ShardEpoch { ConfVer = shard.Epoch.ConfVer - 1, RangeVer = shard.Epoch.RangeVer };

        Assert.Equal(RouterRefusals.UnknownShard, m.Next(RouterCommands.MoveReplica(99, s2, "s4", shard.Epoch, T0 + 20)).Reason);
        Assert.Equal(RouterRefusals.MetaShard, m.Next(RouterCommands.MoveReplica(0, 1, "s4", m.FindShard(0)!.Epoch, T0 + 20)).Reason);
        Assert.Equal(RouterRefusals.EpochMismatch, m.Next(RouterCommands.MoveReplica(3, s2, "s4", stale, T0 + 20)).Reason);
        Assert.Equal(RouterRefusals.UnknownReplica, m.Next(RouterCommands.MoveReplica(3, 9999, "s4", shard.Epoch, T0 + 20)).Reason);
        Assert.Equal(RouterRefusals.UnknownSilo, m.Next(RouterCommands.MoveReplica(3, s2, "s9", shard.Epoch, T0 + 20)).Reason);
        Assert.Equal(RouterRefusals.SiloNotActive, m.Next(RouterCommands.MoveReplica(3, s2, "s5", shard.Epoch, T0 + 20)).Reason);
        Assert.Equal(RouterRefusals.SiloHasReplica, m.Next(RouterCommands.MoveReplica(3, s2, "s3", shard.Epoch, T0 + 20)).Reason);

        Assert.Equal(before, m.State);
    }

    [Fact]
    public void A_preference_names_a_voter_on_an_active_silo_changes_no_epoch_and_can_be_cleared()
    {
        var (m, shard) = ThreeVoters();
        var s3 = shard.Replicas.Single(r => r.SiloId == "s3").ReplicaId;
        var epoch = shard.Epoch.Clone();

        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.SetPreferredLeader(3, s3, false, T0 + 20)).Outcome);
        Assert.Equal((s3, false), (shard.PreferredLeader, shard.LeaderPinned));
        Assert.Equal(epoch, shard.Epoch);

        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.SetPreferredLeader(3, 0, true, T0 + 21)).Outcome);
        Assert.Equal((0UL, false), (shard.PreferredLeader, shard.LeaderPinned));
    }

    [Fact]
    public void A_balancer_preference_planned_before_an_operator_pin_does_not_undo_it()
    {
        // CI: the balancer planned shard 8's leader onto s2 while an operator's transfer to s2 was
        // being pinned; its plan committed after the pin and left the shard unpinned.
        var (m, shard) = ThreeVoters();
        var s2 = shard.Replicas.Single(r => r.SiloId == "s2").ReplicaId;
        var s3 = shard.Replicas.Single(r => r.SiloId == "s3").ReplicaId;
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.SetPreferredLeader(3, s2, true, T0 + 20)).Outcome);
        var before = m.State.Clone();

        Assert.Equal(RouterRefusals.LeaderPinned, m.Next(RouterCommands.BalanceLeader(3, s2, T0 + 21)).Reason);
        Assert.Equal(RouterRefusals.LeaderPinned, m.Next(RouterCommands.BalanceLeader(3, s3, T0 + 22)).Reason);
        Assert.Equal(RouterRefusals.LeaderPinned, m.Next(RouterCommands.BalanceLeader(3, 0, T0 + 23)).Reason);

        Assert.Equal(before, m.State);
        Assert.Equal((s2, true), (shard.PreferredLeader, shard.LeaderPinned));
    }

    [Fact]
    public void A_balancer_preference_applies_to_an_unpinned_shard()
    {
        var (m, shard) = ThreeVoters();
        var s3 = shard.Replicas.Single(r => r.SiloId == "s3").ReplicaId;

        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.BalanceLeader(3, s3, T0 + 20)).Outcome);
        Assert.Equal((s3, false), (shard.PreferredLeader, shard.LeaderPinned));
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.BalanceLeader(3, 0, T0 + 21)).Outcome);
        Assert.Equal((0UL, false), (shard.PreferredLeader, shard.LeaderPinned));
    }

    [Fact]
    public void Preference_refusals()
    {
        var (m, shard) = ThreeVoters();
        m.Next(RouterCommands.AddReplica(3, "s4", shard.Epoch, ReplicaRole.Learner, T0 + 12));
        var learner = shard.Replicas.Single(r => r.SiloId == "s4").ReplicaId;
        var s3 = shard.Replicas.Single(r => r.SiloId == "s3").ReplicaId;
        m.Next(RouterCommands.Drain("s3", T0 + 13));

        Assert.Equal(RouterRefusals.UnknownShard, m.Next(RouterCommands.SetPreferredLeader(99, s3, false, T0 + 20)).Reason);
        Assert.Equal(RouterRefusals.UnknownReplica, m.Next(RouterCommands.SetPreferredLeader(3, 9999, false, T0 + 20)).Reason);
        Assert.Equal(RouterRefusals.NotAVoter, m.Next(RouterCommands.SetPreferredLeader(3, learner, false, T0 + 20)).Reason);
        Assert.Equal(RouterRefusals.SiloNotActive, m.Next(RouterCommands.SetPreferredLeader(3, s3, false, T0 + 20)).Reason);
        Assert.Equal(0UL, shard.PreferredLeader);
    }
}
