using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class HeartbeatTests
{
    private static LeaderHint Hint(ulong shard, ulong replica, string silo, ulong term, ulong commit = 0) =>
        new() { ShardId = shard, ReplicaId = replica, SiloId = silo, Term = term, CommitIndex = commit };

    [Fact]
    public void Heartbeat_stamps_the_silo_and_stores_hints_sorted_by_shard()
    {
        var m = WithSilos(2);

        var result = m.Next(RouterCommands.Heartbeat("s2", [Hint(5, 6, "s1", 3), Hint(2, 3, "s1", 1), Hint(0, 1, "s1", 2)], T0 + 1000));

        Assert.Equal(new RouterResult(RouterOutcome.Applied), result);
        Assert.Equal(T0 + 1000, m.FindSilo("s2")!.LastHeartbeatMs);
        Assert.Equal([0UL, 2UL, 5UL], m.State.Leaders.Select(l => l.ShardId));
        Assert.Equal(Hint(5, 6, "s1", 3), m.FindLeader(5));
        Assert.Null(m.FindLeader(3));
    }

    [Fact]
    public void The_newest_term_wins_and_an_equal_term_replaces()
    {
        var m = WithSilos(2);
        m.Next(RouterCommands.Heartbeat("s1", [Hint(4, 5, "s1", 7, commit: 10)], T0 + 1000));

        m.Next(RouterCommands.Heartbeat("s2", [Hint(4, 30, "s2", 6, commit: 99)], T0 + 1001));
        Assert.Equal(Hint(4, 5, "s1", 7, commit: 10), m.FindLeader(4));

        m.Next(RouterCommands.Heartbeat("s1", [Hint(4, 5, "s1", 7, commit: 20)], T0 + 1002));
        Assert.Equal(Hint(4, 5, "s1", 7, commit: 20), m.FindLeader(4));

        m.Next(RouterCommands.Heartbeat("s2", [Hint(4, 30, "s2", 8, commit: 21)], T0 + 1003));
        Assert.Equal(Hint(4, 30, "s2", 8, commit: 21), m.FindLeader(4));
        Assert.Single(m.State.Leaders);
    }

    [Fact]
    public void Hints_for_unknown_shards_are_ignored()
    {
        var m = WithSilos(1);

        m.Next(RouterCommands.Heartbeat("s1", [Hint(99, 1, "s1", 1)], T0 + 1));

        Assert.Empty(m.State.Leaders);
    }

    [Fact]
    public void Heartbeat_revives_a_dead_silo()
    {
        var m = WithSilos(2);
        m.Next(RouterCommands.MarkDead("s2", m.FindSilo("s2")!.LastHeartbeatMs, T0 + 20_000));
        Assert.Equal(SiloStatus.Dead, m.FindSilo("s2")!.Status);

        m.Next(RouterCommands.Heartbeat("s2", [], T0 + 20_001));

        Assert.Equal(SiloStatus.Active, m.FindSilo("s2")!.Status);
        Assert.Equal(T0 + 20_001, m.FindSilo("s2")!.LastHeartbeatMs);
    }

    [Fact]
    public void Unknown_silo_changes_nothing()
    {
        var m = WithSilos(2);
        var before = m.State.Clone();

        var result = m.Next(RouterCommands.Heartbeat("ghost", [Hint(1, 2, "s1", 1)], T0 + 5000));

        Assert.Equal(RouterOutcome.UnknownSilo, result.Outcome);
        Assert.Equal(before, m.State);
    }
}
