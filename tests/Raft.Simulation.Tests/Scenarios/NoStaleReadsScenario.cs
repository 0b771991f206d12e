using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests.Scenarios;

/// <summary>
/// TESTING.md scenario 12 (Jepsen etcd 2014, TiKV): a read sent to a minority, or to an old
/// leader after a transfer, never returns stale data. The harness also checks every answered
/// read against the commit index known when it was issued.
/// </summary>
public sealed class NoStaleReadsScenario
{
    [Theory]
    [InlineData(ReadOnlyOption.Safe)]
    [InlineData(ReadOnlyOption.LeaseBased)]
    public void Reads_at_a_partitioned_old_leader_or_a_minority_follower_never_return(ReadOnlyOption option)
    {
        var c = new SimCluster(new SimOptions { Seed = 1, Nodes = 5, ReadOnlyOption = option });
        var old = c.WaitForLeader();
        c.RunFor(100);
        var minorityFollower = c.Running.First(n => n != old);
        c.Net.Partition([old.Id, minorityFollower.Id]);

        // The majority elects a new leader and commits writes the minority cannot see.
        Assert.True(c.RunUntil(() => c.Leader is { } l && l != old && l != minorityFollower, 2_000));
        Assert.True(c.RunWithTraffic(() => c.Checker.AcknowledgedIds.Count >= 20, 1_000));

        var atOld = c.Read(old.Id);
        var atFollower = c.Read(minorityFollower.Id);
        c.RunFor(3_000);

        Assert.False(c.Checker.TryGetAnswer(atOld.RequestId, out _), "the old leader answered a read");
        Assert.False(c.Checker.TryGetAnswer(atFollower.RequestId, out _), "a minority follower answered a read");

        c.SettleAndAssertConverged();
    }

    [Theory]
    [InlineData(ReadOnlyOption.Safe, 1)]
    [InlineData(ReadOnlyOption.Safe, 2)]
    [InlineData(ReadOnlyOption.LeaseBased, 1)]
    [InlineData(ReadOnlyOption.LeaseBased, 2)]
    public void After_a_leader_transfer_the_old_leader_does_not_answer_reads_with_stale_data(ReadOnlyOption option, int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 3, ReadOnlyOption = option, MinDelayMs = 1, MaxDelayMs = 1 });
        var old = c.WaitForLeader();
        Assert.True(c.RunWithTraffic(() => c.Checker.AcknowledgedIds.Count >= 10, 1_000));
        var target = c.Running.First(n => n != old);

        // The old leader hears nothing more (one-way cuts): it never learns it was replaced.
        Assert.Equal(ProposalResult.Accepted, old.Running.TransferLeader(target.Id));
        c.RunUntil(() => c.Net.Stats.Count(MessageType.TimeoutNow) > 0, 500);
        foreach (var n in c.Running.Where(n => n != old))
        {
            c.Net.Cut(n.Id, old.Id);
        }

        Assert.True(c.RunUntil(() => target.Running.Role == RaftRole.Leader, 1_000), c.ToString());
        Assert.True(c.RunWithTraffic(() => c.Checker.AcknowledgedIds.Count >= 20, 1_000));
        Assert.Equal(RaftRole.Leader, old.Running.Role);

        var read = c.Read(old.Id);
        c.RunFor(2_000);
        Assert.False(c.Checker.TryGetAnswer(read.RequestId, out _), "the deposed leader answered a read");

        // A read at the new leader is answered at an index covering the new writes.
        var fresh = c.Read(target.Id);
        Assert.True(c.RunUntil(() => c.Checker.TryGetAnswer(fresh.RequestId, out _), 500));
        c.SettleAndAssertConverged();
    }
}
