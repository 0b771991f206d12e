using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class HeartbeatTests
{
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

    [Fact]
    public void A_heartbeat_listing_some_shards_leaves_every_other_hint_as_it_was()
    {
        var m = WithSilos(2);
        m.Next(RouterCommands.Heartbeat("s1", [Hint(1, 2, "s1", 3, commit: 7), Hint(2, 3, "s1", 4, commit: 8), Hint(3, 4, "s1", 5, commit: 9)], T0 + 1000));
        m.Next(RouterCommands.Heartbeat("s2", [Hint(4, 5, "s2", 2, commit: 6)], T0 + 1001));

        m.Next(RouterCommands.Heartbeat("s1", [Hint(2, 3, "s1", 6, commit: 10)], T0 + 2000));

        Assert.Equal([Hint(1, 2, "s1", 3, commit: 7), Hint(2, 3, "s1", 6, commit: 10), Hint(3, 4, "s1", 5, commit: 9), Hint(4, 5, "s2", 2, commit: 6)],
            m.State.Leaders);
        Assert.Equal(T0 + 2000, m.FindSilo("s1")!.LastHeartbeatMs);
    }

    [Fact]
    public void A_heartbeat_without_hints_changes_only_the_silos_liveness_and_the_clock()
    {
        var m = WithSilos(2);
        m.Next(RouterCommands.Heartbeat("s1", [Hint(1, 2, "s1", 3), Hint(2, 3, "s1", 4)], T0 + 1000));
        var expected = m.State.Clone();
        expected.Silos.Single(s => s.SiloId == "s1").LastHeartbeatMs = T0 + 2000;
        expected.NowMs = T0 + 2000;

        Assert.Equal(new RouterResult(RouterOutcome.Applied), m.Next(RouterCommands.Heartbeat("s1", [], T0 + 2000)));

        Assert.Equal(expected, m.State);
    }

    [Fact]
    public void A_full_heartbeat_keeps_hints_of_shards_the_silo_no_longer_leads()
    {
        var m = WithSilos(2);
        m.Next(RouterCommands.Heartbeat("s1", [Hint(1, 2, "s1", 3), Hint(2, 3, "s1", 4)], T0 + 1000));

        // s1 lost shard 2's leadership and nobody reported the new leader yet: its old hint stays
        // (routing tries it and is redirected), as it did before reports carried differences only.
        m.Next(RouterCommands.Heartbeat("s1", [Hint(1, 2, "s1", 3)], T0 + 2000));

        Assert.Equal([Hint(1, 2, "s1", 3), Hint(2, 3, "s1", 4)], m.State.Leaders);
    }
}
