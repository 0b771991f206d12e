using MultiRaft.Raft;
using MultiRaft.Silo.Requests;

namespace MultiRaft.Cluster.Tests;

public sealed class LeaderTransferRuleTests
{
    private static readonly ConfState Conf = new([1, 2, 3], learners: [4]);

    [Fact]
    public void A_caught_up_voter_may_lead()
    {
        Assert.Null(LeaderTransferRule.Refusal(7, 2, "s2", Conf, targetMatch: 5000, committed: 5000));
        Assert.Null(LeaderTransferRule.Refusal(7, 2, "s2", Conf, targetMatch: 5000 - LeaderTransferRule.MaxLag, committed: 5000));
    }

    [Fact]
    public void A_voter_too_far_behind_is_refused_with_its_lag()
    {
        Assert.Equal(
            "transfer refused: replica 2 of shard 7 on silo s2 lags 1001 entries behind the commit index (at most 1000 for a transfer)",
            LeaderTransferRule.Refusal(7, 2, "s2", Conf, targetMatch: 3999, committed: 5000));
    }

    [Fact]
    public void Learners_and_replicas_not_yet_in_the_group_are_refused()
    {
        Assert.Equal("transfer refused: replica 4 of shard 7 on silo s4 is not a voter (a learner still catching up)",
            LeaderTransferRule.Refusal(7, 4, "s4", Conf, targetMatch: 5000, committed: 5000));
        Assert.Equal("transfer refused: replica 9 of shard 7 on silo s9 is not a voter (not in the group yet)",
            LeaderTransferRule.Refusal(7, 9, "s9", Conf, targetMatch: 0, committed: 5000));
    }
}
