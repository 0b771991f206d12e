using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

/// <summary>Histories a linearizable store may produce: every one must check Ok.</summary>
public sealed class LinearizableHistoryTests
{
    [Fact]
    public void Empty_history_is_linearizable()
    {
        var result = LinearizabilityChecker.Check([]);

        Assert.Equal(Verdict.Ok, result.Verdict);
        Assert.Empty(result.Keys);
    }

    [Fact]
    public void Sequential_history_of_every_kind_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.GetNone(1, 0, 1);
        h.Put(1, 2, 3, "a", 1);
        h.Get(2, 4, 5, "a", 1);
        h.Cas(1, 6, 7, expected: 1, "b", newVersion: 2);
        h.Cas(2, 8, 9, expected: 1, "c", newVersion: null);
        h.Create(1, 10, 11, "d", newVersion: null);
        h.Get(2, 12, 13, "b", 2);
        h.Delete(1, 14, 15, existed: true);
        h.Delete(2, 16, 17, existed: false);
        h.GetNone(1, 18, 19);
        h.Cas(2, 20, 21, expected: 2, "e", newVersion: null);
        h.Create(1, 22, 23, "f", newVersion: 7);
        h.Get(2, 24, 25, "f", 7);

        var result = h.Check();

        Assert.Equal(Verdict.Ok, result.Verdict);
        Assert.True(result.IsLinearizable);
        Assert.Equal(13, Assert.Single(result.Keys).LongestPrefix.Count);
    }

    [Theory]
    [InlineData("a", 1, "b", 2)]
    [InlineData("b", 2, "a", 1)]
    public void Overlapping_writes_may_take_effect_in_either_order(string firstValue, long firstVersion, string lastValue, long lastVersion)
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, firstValue, firstVersion);
        h.Put(2, 1, 11, lastValue, lastVersion);
        h.Get(3, 20, 21, lastVersion > firstVersion ? lastValue : firstValue, Math.Max(firstVersion, lastVersion));

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_overlapping_a_write_may_see_old_or_new(bool seesNew)
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.Put(1, 10, 20, "b", 2);
        if (seesNew)
            h.Get(2, 12, 15, "b", 2);
        else
            h.Get(2, 12, 15, "a", 1);
        h.Get(2, 16, 30, "b", 2);

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Fact]
    public void Reads_that_see_the_new_value_before_the_write_returns_are_linearizable()
    {
        // Both reads overlap the write; the second sees it, the first does not: fine.
        var h = new HistoryBuilder();
        h.Put(1, 0, 100, "a", 5);
        h.GetNone(2, 10, 20);
        h.Get(3, 30, 40, "a", 5);

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Fact]
    public void Unknown_write_that_took_effect_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.PutUnknown(1, 2, "b");
        // The version the unknown write produced was never seen, only that it is newer.
        h.Get(2, 50, 51, "b", 9);
        h.Put(2, 52, 53, "c", 10);

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Fact]
    public void Unknown_write_that_took_effect_late_is_linearizable()
    {
        // Pending to the end: it may apply after reads that did not see it.
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.PutUnknown(1, 2, "b");
        h.Get(2, 50, 51, "a", 1);
        h.Get(2, 60, 61, "b", 2);

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Fact]
    public void Unknown_write_that_did_not_take_effect_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.PutUnknown(1, 2, "b");
        h.Get(2, 50, 51, "a", 1);
        h.Put(2, 52, 53, "c", 2);
        h.Get(2, 54, 55, "c", 2);

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Fact]
    public void Unknown_compare_and_set_may_or_may_not_apply()
    {
        var applied = new HistoryBuilder();
        applied.Put(1, 0, 1, "a", 1);
        applied.CasUnknown(1, 2, expected: 1, "b");
        applied.Get(2, 50, 51, "b", 4);

        var notApplied = new HistoryBuilder();
        notApplied.Put(1, 0, 1, "a", 1);
        notApplied.CasUnknown(1, 2, expected: 1, "b");
        notApplied.Get(2, 50, 51, "a", 1);

        Assert.Equal(Verdict.Ok, applied.Check().Verdict);
        Assert.Equal(Verdict.Ok, notApplied.Check().Verdict);
    }

    [Fact]
    public void Compare_and_set_race_with_one_winner_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.Cas(1, 10, 20, expected: 1, "x", newVersion: null);
        h.Cas(2, 11, 21, expected: 1, "y", newVersion: 2);
        h.Cas(3, 12, 22, expected: 1, "z", newVersion: null);
        h.Get(1, 30, 31, "y", 2);

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Fact]
    public void Create_race_with_one_winner_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Create(1, 0, 10, "x", newVersion: null);
        h.Create(2, 1, 11, "y", newVersion: 3);
        h.Get(1, 20, 21, "y", 3);

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Fact]
    public void Failed_operations_never_take_effect()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.PutFailed(2, 2, 3, "b");
        h.Get(1, 4, 5, "a", 1);

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Fact]
    public void Operations_that_touch_in_time_count_as_concurrent()
    {
        // The read returns at the instant the write is invoked: it may see the write.
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.Get(2, 5, 10, "b", 2);
        h.Put(1, 10, 12, "b", 2);

        Assert.Equal(Verdict.Ok, h.Check().Verdict);
    }

    [Fact]
    public void Versions_may_restart_after_delete_when_the_model_says_so()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 5);
        h.Delete(1, 2, 3, existed: true);
        h.Create(1, 4, 5, "b", newVersion: 1);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
        Assert.Equal(Verdict.Ok, LinearizabilityChecker.Check(new VersionedRegisterModel(versionsRestartAfterDelete: true), h.Operations).Verdict);
    }
}
