using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class SplitShardTests
{
    // Four shards on s1; shard 2 ([2^30, 2^31)) given voters on s2 and s3 and a settled report from its leader on s2.
    private static RouterStateMachine ThreeVoters()
    {
        var m = WithSilos(3, shards: 4);
        m.Next(RouterCommands.AddReplica(2, "s2", m.FindShard(2)!.Epoch, ReplicaRole.Voter, T0 + 10));
        m.Next(RouterCommands.AddReplica(2, "s3", m.FindShard(2)!.Epoch, ReplicaRole.Voter, T0 + 11));
        Report(m, 2, T0 + 12);
        return m;
    }

    // The shard's leader (its second replica, on s2) reports exactly the map's configuration.
    private static void Report(RouterStateMachine m, ulong shardId, long at, ulong keys = 0, ulong rangeVer = 0)
    {
        var shard = m.FindShard(shardId)!;
        var hint = new LeaderHint
        {
            ShardId = shardId, ReplicaId = shard.Replicas[1].ReplicaId, SiloId = shard.Replicas[1].SiloId, Term = 5, KeyCount = keys, RangeVer = rangeVer,
        };
        hint.Voters.AddRange(shard.Replicas.Where(r => r.Role == ReplicaRole.Voter).Select(r => r.ReplicaId));
        hint.Learners.AddRange(shard.Replicas.Where(r => r.Role == ReplicaRole.Learner).Select(r => r.ReplicaId));
        Assert.Equal(RouterOutcome.Applied, m.Next(RouterCommands.Heartbeat(shard.Replicas[1].SiloId, [hint], at)).Outcome);
    }

    [Fact]
    public void Split_shrinks_the_shard_adds_the_child_on_the_same_silos_and_bumps_both_range_versions()
    {
        var m = ThreeVoters();
        var parent = m.FindShard(2)!;
        var (start, end, epoch) = (parent.HashStart, parent.HashEnd, parent.Epoch.Clone());
        var parentReplicas = parent.Replicas.Select(r => r.Clone()).ToList();
        var nextShard = m.State.NextShardId;
        var nextReplica = m.State.NextReplicaId;
        var at = start + ((end - start) / 2);

        var result = m.Next(RouterCommands.SplitShard(2, at, epoch, T0 + 100));

        Assert.Equal(new RouterResult(RouterOutcome.Applied, null, nextShard), result);
        Assert.Equal((start, at), (parent.HashStart, parent.HashEnd));
        Assert.Equal(new ShardEpoch { ConfVer = epoch.ConfVer, RangeVer = epoch.RangeVer + 1 }, parent.Epoch);
        Assert.Equal(parentReplicas, parent.Replicas);

        var child = m.FindShard(nextShard)!;
        Assert.Equal((at, end), (child.HashStart, child.HashEnd));
        Assert.Equal(epoch.RangeVer + 1, child.Epoch.RangeVer);
        Assert.Equal(parentReplicas.Select(r => (r.SiloId, r.Role)), child.Replicas.Select(r => (r.SiloId, r.Role)));
        Assert.Equal([nextReplica, nextReplica + 1, nextReplica + 2], child.Replicas.Select(r => r.ReplicaId));
        Assert.Equal(nextShard + 1, m.State.NextShardId);
        Assert.Equal(nextReplica + 3, m.State.NextReplicaId);

        // Kept sorted by hash_start, and lookups see both halves.
        Assert.Equal(m.DataShards.OrderBy(s => s.HashStart).Select(s => s.ShardId), m.DataShards.Select(s => s.ShardId));
        Assert.Equal(m.State.Shards.Skip(1).Select(s => s.ShardId), m.DataShards.Select(s => s.ShardId));
        Assert.Equal(2UL, m.FindShardByHash(at - 1)!.ShardId);
        Assert.Equal(nextShard, m.FindShardByHash(at)!.ShardId);
        Assert.Equal(nextShard, m.FindShardByHash(end - 1)!.ShardId);
        Assert.Equal(3UL, m.FindShardByHash(end)!.ShardId);

        // The router expects the replica beside the parent's leader (s2) to lead the child.
        var hint = m.FindLeader(nextShard)!;
        Assert.Equal(("s2", child.Replicas[1].ReplicaId, 0UL), (hint.SiloId, hint.ReplicaId, hint.Term));
        Assert.Empty(hint.Voters);
        Assert.Equal(2UL, child.SplitFrom);
        Assert.Equal(m.State.Leaders.OrderBy(l => l.ShardId).Select(l => l.ShardId), m.State.Leaders.Select(l => l.ShardId));
    }

    [Fact]
    public void The_state_after_a_split_survives_a_snapshot_and_its_indexes_are_rebuilt()
    {
        var m = ThreeVoters();
        var parent = m.FindShard(2)!;
        var at = parent.HashStart + 12345;
        var child = m.Next(RouterCommands.SplitShard(2, at, parent.Epoch, T0 + 100)).ReplicaId;

        var copy = new RouterStateMachine();
        copy.RestoreSnapshot(m.WriteSnapshot());

        Assert.Equal(m.State, copy.State);
        Assert.Equal(child, copy.FindShardByHash(at)!.ShardId);
        Assert.Equal(2UL, copy.FindShardByHash(at - 1)!.ShardId);
    }

    [Fact]
    public void A_split_child_can_split_again_once_its_leader_reports()
    {
        var m = ThreeVoters();
        var parent = m.FindShard(2)!;
        var childId = m.Next(RouterCommands.SplitShard(2, parent.HashStart + 1000, parent.Epoch, T0 + 100)).ReplicaId;
        var child = m.FindShard(childId)!;

        // Not before the new shard's own leader reported its configuration: the split entry may not have applied yet.
        Assert.Equal(RouterRefusals.NotSettled, m.Next(RouterCommands.SplitShard(childId, child.HashStart + 1, child.Epoch, T0 + 101)).Reason);
        Report(m, childId, T0 + 101);
        // Nor before the report says the split entry applied there (the new shard's range version).
        Assert.Equal(RouterRefusals.NotSettled, m.Next(RouterCommands.SplitShard(childId, child.HashStart + 1, child.Epoch, T0 + 101)).Reason);
        Report(m, childId, T0 + 101, rangeVer: child.Epoch.RangeVer);
        var result = m.Next(RouterCommands.SplitShard(childId, child.HashStart + 1, child.Epoch, T0 + 102));

        Assert.Equal(RouterOutcome.Applied, result.Outcome);
        Assert.Equal(child.HashStart + 1, child.HashEnd);
        Assert.Equal([2UL, childId, result.ReplicaId, 3UL], m.DataShards.Skip(1).Take(4).Select(s => s.ShardId));
    }

    public static TheoryData<string> Refusals() =>
    [
        RouterRefusals.UnknownShard,
        RouterRefusals.EpochMismatch,
        RouterRefusals.MetaShard,
        RouterRefusals.SplitOutsideRange,
        RouterRefusals.NotAllVoters,
        RouterRefusals.NotSettled,
    ];

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Each_refusal_leaves_the_state_unchanged(string reason)
    {
        var m = ThreeVoters();
        var shard = m.FindShard(2)!;
        // Shard 3 has a learner joining; shard 4 has a fourth voter its leader has not reported.
        m.Next(RouterCommands.AddReplica(3, "s2", m.FindShard(3)!.Epoch, ReplicaRole.Learner, T0 + 20));
        Report(m, 3, T0 + 21);
        m.Next(RouterCommands.AddReplica(4, "s2", m.FindShard(4)!.Epoch, ReplicaRole.Voter, T0 + 22));
        var before = m.State.Clone();
        var mid = shard.HashStart + 10;

        var command = reason switch
        {
            RouterRefusals.UnknownShard => RouterCommands.SplitShard(42, mid, shard.Epoch, T0 + 30),
            RouterRefusals.EpochMismatch => RouterCommands.SplitShard(2, mid, new ShardEpoch { ConfVer = 1, RangeVer = 1 }, T0 + 30),
            RouterRefusals.MetaShard => RouterCommands.SplitShard(0, 1, m.FindShard(0)!.Epoch, T0 + 30),
            RouterRefusals.SplitOutsideRange => RouterCommands.SplitShard(2, shard.HashStart, shard.Epoch, T0 + 30),
            RouterRefusals.NotAllVoters => RouterCommands.SplitShard(3, m.FindShard(3)!.HashStart + 1, m.FindShard(3)!.Epoch, T0 + 30),
            RouterRefusals.NotSettled => RouterCommands.SplitShard(4, m.FindShard(4)!.HashStart + 1, m.FindShard(4)!.Epoch, T0 + 30),
            _ => throw new ArgumentOutOfRangeException(nameof(reason)),
        };

        var result = m.Next(command);

        Assert.Equal(new RouterResult(RouterOutcome.Refused, reason), result);
        Assert.Equal(before, m.State);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void The_hash_must_be_strictly_inside_the_range(int atEnd)
    {
        var m = ThreeVoters();
        var shard = m.FindShard(2)!;
        var at = atEnd == 1 ? shard.HashEnd : shard.HashEnd + 5;

        Assert.Equal(RouterRefusals.SplitOutsideRange, m.Next(RouterCommands.SplitShard(2, at, shard.Epoch, T0 + 30)).Reason);
        Assert.Equal(KeyHash.SpaceEnd / 2, shard.HashEnd);
    }

    private static List<SplitShard> PlannedSplits(RouterStateMachine m, long now, RouterPlannerOptions options) =>
        [.. RouterPlanner.Plan(m.State, now, options).Where(c => c.CommandCase == RouterCommand.CommandOneofCase.SplitShard).Select(c => c.SplitShard)];

    [Fact]
    public void The_planner_splits_a_shard_past_the_key_threshold_at_its_middle_once_until_its_leader_carried_it_out()
    {
        var m = ThreeVoters();
        var options = new RouterPlannerOptions(SplitKeys: 100, SplitBytes: 0);
        var shard = m.FindShard(2)!;
        Report(m, 2, T0 + 20, keys: 99);
        Assert.Empty(PlannedSplits(m, T0 + 21, options));

        Report(m, 2, T0 + 22, keys: 100);
        var split = Assert.Single(PlannedSplits(m, T0 + 23, options));
        Assert.Equal((2UL, shard.HashStart + ((shard.HashEnd - shard.HashStart) / 2)), (split.ShardId, split.SplitHash));
        Assert.Equal(RouterOutcome.Applied, m.Next(new RouterCommand { TimestampMs = T0 + 24, SplitShard = split }).Outcome);

        // The leader's report still counts the keys that are leaving: no second split yet.
        Report(m, 2, T0 + 25, keys: 100);
        Assert.Empty(PlannedSplits(m, T0 + 26, options));
        // Carried out (its range version is the map's) and still too big: split again.
        Report(m, 2, T0 + 27, keys: 100, rangeVer: shard.Epoch.RangeVer);
        Assert.Equal(2UL, Assert.Single(PlannedSplits(m, T0 + 28, options)).ShardId);
        // Thresholds of 0 never split.
        Assert.Empty(PlannedSplits(m, T0 + 28, options with { SplitKeys = 0 }));
    }
}
