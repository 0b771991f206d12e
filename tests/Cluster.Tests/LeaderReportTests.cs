using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;
using MultiRaft.Silo.Cluster;

namespace MultiRaft.Cluster.Tests;

public sealed class LeaderReportTests
{
    private const long SplitKeys = 1000;
    private const long SplitBytes = 1 << 20;

    private static readonly LeaderFacts Facts = new(ShardId: 7, ReplicaId: 21, Term: 4, CommitIndex: 90, AppliedIndex: 88,
        Conf: new ConfState([21, 22, 23], learners: [24]), KeyCount: 10, SizeBytes: 500, RangeVer: 2);

    private static bool Differs(LeaderHint? stored, LeaderFacts facts) => LeaderReport.Differs(stored, facts, "s1", SplitKeys, SplitBytes);

    [Fact]
    public void A_hint_is_the_facts_it_was_built_from()
    {
        var hint = Facts.ToHint("s1");

        Assert.Equal(new LeaderHint
        {
            ShardId = 7, ReplicaId = 21, SiloId = "s1", Term = 4, CommitIndex = 90, AppliedIndex = 88, Voters = { 21, 22, 23 }, Learners = { 24 },
            KeyCount = 10, SizeBytes = 500, RangeVer = 2,
        }, hint);
        Assert.False(Differs(hint, Facts));
    }

    [Fact]
    public void A_shard_the_router_has_no_hint_of_is_reported()
    {
        Assert.True(Differs(null, Facts));
    }

    [Fact]
    public void Progress_and_sizes_that_cross_no_threshold_wait_for_the_full_report()
    {
        var stored = Facts.ToHint("s1");

        Assert.False(Differs(stored, Facts with { CommitIndex = 5000, AppliedIndex = 4999, KeyCount = 999, SizeBytes = SplitBytes - 1 }));
    }

    [Theory]
    [InlineData("a new term")]
    [InlineData("another replica")]
    [InlineData("another voter")]
    [InlineData("a learner promoted")]
    [InlineData("a split carried out")]
    [InlineData("the key threshold crossed")]
    [InlineData("the size threshold crossed")]
    [InlineData("back under the key threshold")]
    public void What_the_planner_or_routing_waits_for_is_reported(string change)
    {
        var stored = Facts.ToHint("s1");
        var now = change switch
        {
            "a new term" => Facts with { Term = 5 },
            "another replica" => Facts with { ReplicaId = 22 },
            "another voter" => Facts with { Conf = new ConfState([21, 22, 25], learners: [24]) },
            "a learner promoted" => Facts with { Conf = new ConfState([21, 22, 23, 24]) },
            "a split carried out" => Facts with { RangeVer = 3 },
            "the key threshold crossed" => Facts with { KeyCount = SplitKeys },
            "the size threshold crossed" => Facts with { SizeBytes = SplitBytes },
            "back under the key threshold" => Facts,
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        if (change == "back under the key threshold")
        {
            stored.KeyCount = SplitKeys + 5;
        }

        Assert.True(Differs(stored, now), change);
    }

    [Fact]
    public void A_hint_from_another_silo_is_replaced()
    {
        Assert.True(Differs(Facts.ToHint("s2"), Facts));
    }

    [Fact]
    public void A_newer_term_in_the_router_is_not_argued_with()
    {
        var stored = Facts.ToHint("s2");
        stored.Term = 9;
        stored.ReplicaId = 22;

        Assert.False(Differs(stored, Facts));
    }

    [Fact]
    public void Without_thresholds_sizes_never_make_a_report()
    {
        var stored = Facts.ToHint("s1");

        Assert.False(LeaderReport.Differs(stored, Facts with { KeyCount = 1 << 30, SizeBytes = 1L << 40 }, "s1", splitKeys: 0, splitBytes: 0));
    }

    [Fact]
    public void Only_data_shards_are_urgent()
    {
        Assert.False(LeaderReport.Urgent(0));
        Assert.True(LeaderReport.Urgent(1));
    }
}
