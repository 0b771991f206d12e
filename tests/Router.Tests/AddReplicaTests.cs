using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class AddReplicaTests
{
    private static readonly ShardEpoch Epoch11 = new() { ConfVer = 1, RangeVer = 1 };

    [Fact]
    public void Success_allocates_the_next_id_appends_and_bumps_conf_ver()
    {
        var m = WithSilos(3);
        var next = m.State.NextReplicaId;

        var result = m.Next(RouterCommands.AddReplica(7, "s3", Epoch11, ReplicaRole.Voter, T0 + 10));

        Assert.Equal(new RouterResult(RouterOutcome.Applied, null, next), result);
        var shard = m.FindShard(7)!;
        Assert.Equal(new ShardEpoch { ConfVer = 2, RangeVer = 1 }, shard.Epoch);
        Assert.Equal(new ReplicaDescriptor { ReplicaId = next, SiloId = "s3", Role = ReplicaRole.Voter }, shard.Replicas[1]);
        Assert.Equal(next + 1, m.State.NextReplicaId);

        var second = m.Next(RouterCommands.AddReplica(7, "s2", shard.Epoch, ReplicaRole.Learner, T0 + 11));
        Assert.Equal(next + 1, second.ReplicaId);
        Assert.Equal(["s1", "s3", "s2"], shard.Replicas.Select(r => r.SiloId));
        Assert.Equal(3UL, shard.Epoch.ConfVer);
    }

    public static TheoryData<string> Refusals() =>
    [
        RouterRefusals.UnknownShard,
        RouterRefusals.EpochMismatch,
        RouterRefusals.UnknownSilo,
        RouterRefusals.SiloNotActive,
        RouterRefusals.SiloHasReplica,
        RouterRefusals.ShardFull,
        RouterRefusals.InvalidRole,
    ];

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Each_refusal_leaves_the_state_unchanged(string reason)
    {
        var m = WithSilos(6);
        m.Next(RouterCommands.MarkDead("s5", m.FindSilo("s5")!.LastHeartbeatMs, T0 + 60_000));
        // Shard 3 full: s1 (bootstrap), s2, s3 and s4 (three voters and one replica moving in).
        m.Next(RouterCommands.AddReplica(3, "s2", Epoch11, ReplicaRole.Voter, T0 + 60_001));
        m.Next(RouterCommands.AddReplica(3, "s3", m.FindShard(3)!.Epoch, ReplicaRole.Voter, T0 + 60_002));
        m.Next(RouterCommands.AddReplica(3, "s4", m.FindShard(3)!.Epoch, ReplicaRole.Learner, T0 + 60_003));
        Assert.Equal(RouterStateMachine.MaxDataReplicas, m.FindShard(3)!.Replicas.Count);
        var before = m.State.Clone();

        var command = reason switch
        {
            RouterRefusals.UnknownShard => RouterCommands.AddReplica(42, "s2", Epoch11, ReplicaRole.Voter, T0 + 70_000),
            RouterRefusals.EpochMismatch => RouterCommands.AddReplica(3, "s6", Epoch11, ReplicaRole.Voter, T0 + 70_000),
            RouterRefusals.UnknownSilo => RouterCommands.AddReplica(4, "ghost", Epoch11, ReplicaRole.Voter, T0 + 70_000),
            RouterRefusals.SiloNotActive => RouterCommands.AddReplica(4, "s5", Epoch11, ReplicaRole.Voter, T0 + 70_000),
            RouterRefusals.SiloHasReplica => RouterCommands.AddReplica(4, "s1", Epoch11, ReplicaRole.Voter, T0 + 70_000),
            RouterRefusals.ShardFull => RouterCommands.AddReplica(3, "s6", m.FindShard(3)!.Epoch, ReplicaRole.Voter, T0 + 70_000),
            RouterRefusals.InvalidRole => RouterCommands.AddReplica(4, "s2", Epoch11, ReplicaRole.Unspecified, T0 + 70_000),
            _ => throw new ArgumentOutOfRangeException(nameof(reason)),
        };

        var result = m.Next(command);

        Assert.Equal(new RouterResult(RouterOutcome.Refused, reason), result);
        Assert.Equal(before, m.State);
    }

    [Fact]
    public void Missing_expected_epoch_is_a_mismatch()
    {
        var m = WithSilos(2);
        var command = RouterCommands.AddReplica(1, "s2", Epoch11, ReplicaRole.Voter, T0 + 1);
        command.AddReplica.ExpectedEpoch = null;

        Assert.Equal(RouterRefusals.EpochMismatch, m.Next(command).Reason);
    }

    [Fact]
    public void The_meta_shard_has_no_cap()
    {
        var m = WithSilos(5);
        var meta = m.FindShard(0)!;
        Assert.Equal(5, meta.Replicas.Count);

        m.Next(RouterCommands.Register(Silo("s6"), T0 + 10));
        Assert.Equal(6, meta.Replicas.Count);
        Assert.Equal(ReplicaRole.Learner, meta.Replicas[5].Role);

        // AddReplica on shard 0 for a silo whose meta replica is missing also works past three.
        var state = m.State.Clone();
        state.Silos.Add(new SiloInfo { SiloId = "s7", Status = SiloStatus.Active, LastHeartbeatMs = T0 + 10 });
        var m2 = new RouterStateMachine();
        m2.RestoreSnapshot(RouterStateMachine.EncodeSnapshot(state, m.LastAppliedIndex));
        var result = m2.Next(RouterCommands.AddReplica(0, "s7", m2.FindShard(0)!.Epoch, ReplicaRole.Learner, T0 + 11));
        Assert.Equal(RouterOutcome.Applied, result.Outcome);
        Assert.Equal(7, m2.FindShard(0)!.Replicas.Count);
    }
}
