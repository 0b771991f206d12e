using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class RemoveReplicaTests
{
    /// <summary>Five silos; shard 3 on s1, s2, s3 (voters) and a learner on s4.</summary>
    private static (RouterStateMachine Machine, ShardDescriptor Shard) WithLearner()
    {
        var m = WithSilos(5);
        var epoch = m.FindShard(3)!.Epoch;
        m.Next(RouterCommands.AddReplica(3, "s2", epoch, ReplicaRole.Voter, T0 + 10));
        m.Next(RouterCommands.AddReplica(3, "s3", m.FindShard(3)!.Epoch, ReplicaRole.Voter, T0 + 11));
        m.Next(RouterCommands.AddReplica(3, "s4", m.FindShard(3)!.Epoch, ReplicaRole.Learner, T0 + 12));
        return (m, m.FindShard(3)!);
    }

    [Fact]
    public void Removing_with_a_promotion_swaps_the_two_and_bumps_conf_ver_once()
    {
        var (m, shard) = WithLearner();
        var s3 = shard.Replicas.Single(r => r.SiloId == "s3").ReplicaId;
        var s4 = shard.Replicas.Single(r => r.SiloId == "s4").ReplicaId;
        var confVer = shard.Epoch.ConfVer;

        var result = m.Next(RouterCommands.RemoveReplica(3, s3, s4, shard.Epoch, T0 + 20));

        Assert.Equal(new RouterResult(RouterOutcome.Applied, null, s3), result);
        Assert.Equal([("s1", ReplicaRole.Voter), ("s2", ReplicaRole.Voter), ("s4", ReplicaRole.Voter)],
            shard.Replicas.Select(r => (r.SiloId, r.Role)));
        Assert.Equal(confVer + 1, shard.Epoch.ConfVer);
        Assert.Equal(T0 + 20, m.State.NowMs);
    }

    [Fact]
    public void Removing_without_a_promotion_takes_out_just_that_replica()
    {
        var (m, shard) = WithLearner();
        var s4 = shard.Replicas.Single(r => r.SiloId == "s4").ReplicaId;

        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.RemoveReplica(3, s4, 0, shard.Epoch, T0 + 20)).Outcome);

        Assert.Equal(["s1", "s2", "s3"], shard.Replicas.Select(r => r.SiloId));
        Assert.All(shard.Replicas, r => Assert.Equal(ReplicaRole.Voter, r.Role));
    }

    public static TheoryData<string> Refusals() =>
    [
        RouterRefusals.UnknownShard,
        RouterRefusals.EpochMismatch,
        RouterRefusals.UnknownReplica,
        RouterRefusals.PromoteRemoved,
        RouterRefusals.SiloNotActive,
        RouterRefusals.LastVoter,
    ];

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Each_refusal_leaves_the_state_unchanged(string reason)
    {
        var (m, shard) = WithLearner();
        var s3 = shard.Replicas.Single(r => r.SiloId == "s3").ReplicaId;
        var s4 = shard.Replicas.Single(r => r.SiloId == "s4").ReplicaId;
        // Shard 5 has one voter (s1) and a learner (s4).
        m.Next(RouterCommands.AddReplica(5, "s4", m.FindShard(5)!.Epoch, ReplicaRole.Learner, T0 + 14));
        var lone = m.FindShard(5)!;
        var loneVoter = lone.Replicas.Single(r => r.SiloId == "s1").ReplicaId;
        var before = m.State.Clone();
        var epoch = shard.Epoch;

        var command = reason switch
        {
            RouterRefusals.UnknownShard => RouterCommands.RemoveReplica(42, s3, 0, epoch, T0 + 30),
            RouterRefusals.EpochMismatch => RouterCommands.RemoveReplica(3, s3, 0, new ShardEpoch { ConfVer = 1, RangeVer = 1 }, T0 + 30),
            RouterRefusals.UnknownReplica => RouterCommands.RemoveReplica(3, 9999, 0, epoch, T0 + 30),
            RouterRefusals.PromoteRemoved => RouterCommands.RemoveReplica(3, s4, s4, epoch, T0 + 30),
            RouterRefusals.SiloNotActive => PromoteOnDeadSilo(m),
            RouterRefusals.LastVoter => RouterCommands.RemoveReplica(5, loneVoter, 0, lone.Epoch, T0 + 30),
            _ => throw new ArgumentOutOfRangeException(nameof(reason)),
        };
        if (reason == RouterRefusals.SiloNotActive)
        {
            before = m.State.Clone();
        }

        var result = m.Next(command);

        Assert.Equal(new RouterResult(RouterOutcome.Refused, reason), result);
        Assert.Equal(before, m.State);
    }

    // Shard 7 gets a learner on s4, then s4 dies: promoting it is refused.
    private static RouterCommand PromoteOnDeadSilo(RouterStateMachine m)
    {
        var learner = m.Next(RouterCommands.AddReplica(7, "s4", m.FindShard(7)!.Epoch, ReplicaRole.Learner, T0 + 15)).ReplicaId;
        m.Next(RouterCommands.MarkDead("s4", m.FindSilo("s4")!.LastHeartbeatMs, T0 + 16));
        var shard7s1 = m.FindShard(7)!.Replicas.Single(r => r.SiloId == "s1").ReplicaId;
        return RouterCommands.RemoveReplica(7, shard7s1, learner, m.FindShard(7)!.Epoch, T0 + 30);
    }
}
