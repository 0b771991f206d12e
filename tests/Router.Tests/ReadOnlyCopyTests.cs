using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class ReadOnlyCopyTests
{
    private static void AssertSameAsLive(RouterStateMachine live, RouterStateMachine copy)
    {
        Assert.Equal(live.WriteSnapshot(), copy.WriteSnapshot());
        Assert.Equal(live.LastAppliedIndex, copy.LastAppliedIndex);
        Assert.Equal(live.ChangedAtIndex, copy.ChangedAtIndex);
        Assert.Equal(live.DataShards, copy.DataShards);
        foreach (var shard in live.State.Shards)
        {
            Assert.Equal(shard, copy.FindShard(shard.ShardId));
            Assert.Equal(live.FindLeader(shard.ShardId), copy.FindLeader(shard.ShardId));
        }

        foreach (var shard in live.DataShards)
        {
            Assert.Equal(shard, copy.FindShardByHash(shard.HashStart));
        }

        foreach (var silo in live.State.Silos)
        {
            Assert.Equal(silo, copy.FindSilo(silo.SiloId));
        }
    }

    [Fact]
    public void A_copy_after_heartbeats_alone_shares_the_shards_of_the_last_copy_and_equals_the_state()
    {
        var m = WithSilos(3);
        var first = m.ReadOnlyCopy();

        m.Next(RouterCommands.Heartbeat("s2", [], T0 + 1000));
        m.Next(RouterCommands.Heartbeat("s3", [], T0 + 1001));
        var second = m.ReadOnlyCopy();

        AssertSameAsLive(m, second);
        Assert.Same(first.FindShard(5), second.FindShard(5));
        Assert.Same(first.DataShards, second.DataShards);
        Assert.Equal(T0 + 1001, second.FindSilo("s3")!.LastHeartbeatMs);
        Assert.Equal(T0 + 3, first.FindSilo("s3")!.LastHeartbeatMs);
    }

    [Fact]
    public void A_changed_hint_is_copied_and_the_others_are_shared()
    {
        var m = WithSilos(2);
        m.Next(RouterCommands.Heartbeat("s1", [Hint(1, 2, "s1", 3), Hint(2, 3, "s1", 4)], T0 + 1000));
        var first = m.ReadOnlyCopy();

        m.Next(RouterCommands.Heartbeat("s1", [Hint(2, 3, "s1", 5), Hint(7, 8, "s1", 1)], T0 + 2000));
        var second = m.ReadOnlyCopy();

        AssertSameAsLive(m, second);
        Assert.Same(first.FindLeader(1), second.FindLeader(1));
        Assert.Equal(Hint(2, 3, "s1", 5), second.FindLeader(2));
        Assert.NotSame(m.FindLeader(2), second.FindLeader(2));
        Assert.Equal(Hint(2, 3, "s1", 4), first.FindLeader(2));
        Assert.Null(first.FindLeader(7));
    }

    [Fact]
    public void A_copy_is_never_changed_by_what_applies_after_it()
    {
        var m = WithSilos(3);
        m.Next(RouterCommands.Heartbeat("s1", [Hint(1, 2, "s1", 3)], T0 + 1000));
        var copy = m.ReadOnlyCopy();
        var bytes = copy.WriteSnapshot();

        m.Next(RouterCommands.Heartbeat("s1", [Hint(1, 2, "s1", 4, commit: 9)], T0 + 2000));
        m.ReadOnlyCopy();
        Converge(m, T0 + 3000, new RouterPlannerOptions());
        m.Next(RouterCommands.Drain("s3", T0 + 4000));
        m.ReadOnlyCopy();

        Assert.Equal(bytes, copy.WriteSnapshot());
    }

    [Fact]
    public void Liveness_alone_does_not_move_the_change_index_and_anything_else_does()
    {
        var m = WithSilos(2);
        var booted = m.ChangedAtIndex;

        m.Next(RouterCommands.Heartbeat("s2", [], T0 + 1000));
        Assert.Equal(booted, m.ChangedAtIndex);

        m.Next(RouterCommands.Heartbeat("s2", [Hint(1, 2, "s2", 3)], T0 + 1001));
        Assert.Equal(m.LastAppliedIndex, m.ChangedAtIndex);
        var hinted = m.ChangedAtIndex;

        m.Next(RouterCommands.Heartbeat("s2", [Hint(1, 2, "s2", 3)], T0 + 1002));
        Assert.Equal(hinted, m.ChangedAtIndex);

        m.Next(RouterCommands.MarkDead("s2", T0 + 1002, T0 + 40_000));
        Assert.Equal(m.LastAppliedIndex, m.ChangedAtIndex);

        m.Next(RouterCommands.Heartbeat("s2", [], T0 + 40_001));
        Assert.Equal(m.LastAppliedIndex, m.ChangedAtIndex);
    }

    [Fact]
    public void A_restore_makes_the_next_copy_whole()
    {
        var m = WithSilos(2);
        var before = m.ReadOnlyCopy();
        var other = WithSilos(3, shards: 4);

        m.RestoreSnapshot(other.WriteSnapshot());
        var after = m.ReadOnlyCopy();

        AssertSameAsLive(m, after);
        Assert.Equal(4, after.DataShards.Count);
        Assert.Equal(16, before.DataShards.Count);
    }

    [Fact]
    public void Copies_equal_the_state_after_every_command_of_a_random_history()
    {
        var random = new Random(15);
        var m = WithSilos(3);
        var copies = new List<(RouterStateMachine Copy, byte[] Bytes)>();
        var now = T0 + 1000;
        for (var step = 0; step < 300; step++)
        {
            now += random.Next(1, 500);
            var silo = "s" + random.Next(1, 4);
            var pick = random.Next(10);
            if (pick < 7)
            {
                var hints = Enumerable.Range(0, random.Next(0, 4))
                    .Select(_ => Hint((ulong)random.Next(0, 20), (ulong)random.Next(1, 60), silo, (ulong)random.Next(1, 6), (ulong)random.Next(0, 3)))
                    .DistinctBy(h => h.ShardId);
                m.Next(RouterCommands.Heartbeat(silo, hints, now));
            }
            else if (pick < 9)
            {
                foreach (var c in RouterPlanner.Plan(m.State, now, new RouterPlannerOptions()))
                {
                    m.Next(c);
                }
            }
            else
            {
                var shard = m.DataShards[random.Next(m.DataShards.Count)];
                m.Next(RouterCommands.SetPreferredLeader(shard.ShardId, shard.Replicas[0].ReplicaId, pinned: false, now));
            }

            if (random.Next(3) == 0)
            {
                m.Skip(m.LastAppliedIndex + 1);
            }

            var copy = m.ReadOnlyCopy();
            AssertSameAsLive(m, copy);
            copies.Add((copy, copy.WriteSnapshot()));
        }

        Assert.All(copies, c => Assert.Equal(c.Bytes, c.Copy.WriteSnapshot()));
    }
}
