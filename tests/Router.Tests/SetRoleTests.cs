using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class SetRoleTests
{
    [Fact]
    public void Promoting_a_learner_bumps_conf_ver()
    {
        var m = WithSilos(4);
        var meta = m.FindShard(0)!;
        var learner = meta.Replicas.Single(r => r.SiloId == "s4");
        var epoch = meta.Epoch.Clone();

        var result = m.Next(RouterCommands.SetRole(0, learner.ReplicaId, ReplicaRole.Voter, epoch, T0 + 10));

        Assert.Equal(new RouterResult(RouterOutcome.Applied, null, learner.ReplicaId), result);
        Assert.Equal(ReplicaRole.Voter, learner.Role);
        Assert.Equal(epoch.ConfVer + 1, meta.Epoch.ConfVer);
    }

    [Fact]
    public void Setting_the_role_it_already_has_changes_nothing()
    {
        var m = WithSilos(2);
        var before = m.State.Clone();

        var result = m.Next(RouterCommands.SetRole(0, 1, ReplicaRole.Voter, m.FindShard(0)!.Epoch, T0 + 10));

        Assert.Equal(RouterOutcome.Applied, result.Outcome);
        Assert.Equal(before.Shards, m.State.Shards);
    }

    [Fact]
    public void Refusals()
    {
        var m = WithSilos(4);
        var epoch = m.FindShard(0)!.Epoch;
        var learner = m.FindShard(0)!.Replicas.Single(r => r.SiloId == "s4").ReplicaId;
        m.Next(RouterCommands.MarkDead("s4", m.FindSilo("s4")!.LastHeartbeatMs, T0 + 60_000));
        var before = m.State.Clone();

        Assert.Equal(RouterRefusals.UnknownShard, m.Next(RouterCommands.SetRole(99, 1, ReplicaRole.Voter, epoch, T0)).Reason);
        Assert.Equal(RouterRefusals.EpochMismatch, m.Next(RouterCommands.SetRole(0, learner, ReplicaRole.Voter, new ShardEpoch { ConfVer = 1, RangeVer = 1 }, T0)).Reason);
        Assert.Equal(RouterRefusals.UnknownReplica, m.Next(RouterCommands.SetRole(0, 12345, ReplicaRole.Voter, epoch, T0)).Reason);
        Assert.Equal(RouterRefusals.InvalidRole, m.Next(RouterCommands.SetRole(0, learner, ReplicaRole.Unspecified, epoch, T0)).Reason);
        Assert.Equal(RouterRefusals.SiloNotActive, m.Next(RouterCommands.SetRole(0, learner, ReplicaRole.Voter, epoch, T0)).Reason);
        Assert.Equal(before, m.State);
    }
}
