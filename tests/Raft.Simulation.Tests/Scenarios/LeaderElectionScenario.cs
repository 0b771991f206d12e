using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests.Scenarios;

/// <summary>
/// TESTING.md scenario 1 (6.824 2A/3A): disconnect the leader, a majority, 3 of 7 → one leader
/// per term within a bound; no leader without a quorum. Ticks are 10 ms, ElectionTick 10, so
/// an election timeout is 100–200 ms; "within a bound" is 1 s (several timeouts, as in 6.824).
/// </summary>
public sealed class LeaderElectionScenario
{
    private const long ElectionBoundMs = 1_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_quiet_group_elects_one_leader_that_stays(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 3 });
        var leader = c.WaitForLeader(ElectionBoundMs);
        var term = leader.Running.Term;

        // Nothing happens for 2 s: the same leader keeps its term.
        c.RunFor(2_000);
        Assert.Same(leader, c.Leader);
        Assert.Equal(term, leader.Running.Term);
        Assert.Equal(1, c.Checker.LeadersElected);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Disconnecting_the_leader_elects_another_and_the_old_one_rejoins_as_follower(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 3 });
        var old = c.WaitForLeader(ElectionBoundMs);
        c.Net.Isolate(old.Id);

        Assert.True(c.RunUntil(() => c.Running.Any(n => n != old && n.Running.Role == RaftRole.Leader), ElectionBoundMs),
            c.ToString());
        var next = c.Running.Single(n => n != old && n.Running.Role == RaftRole.Leader);
        Assert.True(next.Running.Term > old.Running.Term);

        // CheckQuorum: the isolated leader steps down within an election timeout or so.
        Assert.True(c.RunUntil(() => old.Running.Role != RaftRole.Leader, ElectionBoundMs));

        c.Net.Heal();
        c.RunFor(1_000);
        Assert.Equal(next.Id, c.Leader?.Id);
        Assert.Equal(next.Id, old.Running.Lead);
        Assert.Equal(RaftRole.Follower, old.Running.Role);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Without_a_quorum_nobody_leads_and_healing_elects_within_the_bound(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 3 });
        var leader = c.WaitForLeader(ElectionBoundMs);
        var follower = c.Running.First(n => n != leader);
        c.Net.Partition([leader.Id], [follower.Id]);

        // Every member is alone: the leader steps down (CheckQuorum), nobody else can win.
        c.RunFor(5_000);
        Assert.All(c.Running, n => Assert.NotEqual(RaftRole.Leader, n.Running.Role));

        c.Net.Heal();
        c.WaitForLeader(ElectionBoundMs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Disconnecting_three_of_seven_keeps_one_leader_in_the_four(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 7 });
        var leader = c.WaitForLeader(ElectionBoundMs);

        // Cut off the leader and two followers: the other four must elect one of them.
        var cut = new List<ulong> { leader.Id };
        cut.AddRange(c.Running.Where(n => n != leader).Take(2).Select(n => n.Id));
        var rest = c.Running.Select(n => n.Id).Except(cut).ToList();
        c.Net.Partition(cut, rest);

        Assert.True(c.RunUntil(() => c.Leader is { } l && rest.Contains(l.Id), ElectionBoundMs), c.ToString());
        c.RunFor(3_000);
        Assert.All(cut, id => Assert.NotEqual(RaftRole.Leader, c[id].Running.Role));
        Assert.Single(c.Running, n => n.Running.Role == RaftRole.Leader);

        // The group still commits.
        Assert.True(c.ProposeAtLeader(5));
        var target = c.Checker.AcknowledgedIds.Count + 5;
        Assert.True(c.RunUntil(() => c.Checker.AcknowledgedIds.Count >= target, 1_000));

        c.Net.Heal();
        Assert.True(c.RunUntil(() => c.Checker.Converged(out _), 2_000));
        c.Checker.AssertConverged();
    }
}
