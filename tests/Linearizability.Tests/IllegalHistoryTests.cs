using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

/// <summary>Histories no linearizable store can produce: every one must check Illegal.</summary>
public sealed class IllegalHistoryTests
{
    [Fact]
    public void Stale_read_after_a_completed_write_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, "a", 1);
        h.Put(1, 20, 30, "b", 2);
        var stale = h.Get(2, 40, 50, "a", 1);

        var key = Assert.Single(h.Check().Keys);

        Assert.Equal(Verdict.Illegal, key.Verdict);
        Assert.Equal(stale, key.Failing);
        Assert.Equal([0, 1], key.LongestPrefix.Select(o => o.Id));
        Assert.Equal([stale], key.Involved);
    }

    [Fact]
    public void Lost_update_two_compare_and_sets_on_one_version_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.Cas(1, 10, 20, expected: 1, "b", newVersion: 2);
        h.Cas(2, 11, 21, expected: 1, "c", newVersion: 3);

        var key = Assert.Single(h.Check().Keys);

        Assert.Equal(Verdict.Illegal, key.Verdict);
        Assert.Equal(2, key.LongestPrefix.Count);
        Assert.Single(key.Involved);
    }

    [Fact]
    public void Read_of_a_value_never_written_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, "a", 1);
        h.Get(2, 5, 15, "zzz", 1);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Read_of_a_key_never_created_is_illegal()
    {
        var h = new HistoryBuilder();
        var read = h.Get(1, 0, 1, "a", 1);

        var key = Assert.Single(h.Check().Keys);

        Assert.Equal(Verdict.Illegal, key.Verdict);
        Assert.Empty(key.LongestPrefix);
        Assert.Equal(read, key.Failing);
    }

    [Fact]
    public void Reads_going_back_in_time_are_illegal()
    {
        // The write is still running, but once one read saw it a later read must too.
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, "a", 1);
        h.Put(1, 15, 100, "b", 2);
        h.Get(2, 20, 30, "b", 2);
        h.Get(2, 40, 50, "a", 1);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Version_going_backwards_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, "a", 5);
        h.Put(1, 20, 30, "b", 3);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Read_of_a_version_that_changed_without_a_write_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, "a", 1);
        h.Get(2, 20, 30, "a", 2);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Failed_write_observed_by_a_read_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.PutFailed(1, 2, 3, "b");
        h.Get(2, 10, 11, "b", 2);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Create_of_an_existing_key_that_succeeds_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.Create(2, 2, 3, "b", newVersion: 2);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Compare_and_set_rejected_on_the_expected_version_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.Cas(2, 2, 3, expected: 1, "b", newVersion: null);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Delete_that_misses_an_existing_key_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.Delete(2, 2, 3, existed: false);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Read_after_delete_that_still_sees_the_value_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.Delete(1, 2, 3, existed: true);
        h.Get(2, 4, 5, "a", 1);

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Unknown_write_cannot_explain_a_read_before_it_was_invoked()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        h.Get(2, 2, 3, "b", 2);
        h.PutUnknown(1, 10, "b");

        Assert.Equal(Verdict.Illegal, h.Check().Verdict);
    }

    [Fact]
    public void Only_the_broken_key_is_illegal()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1, key: "good");
        h.Get(2, 2, 3, "a", 1, key: "good");
        h.Put(1, 0, 1, "a", 1, key: "bad");
        h.Put(1, 2, 3, "b", 2, key: "bad");
        h.Get(2, 4, 5, "a", 1, key: "bad");

        var result = h.Check();

        Assert.Equal(Verdict.Illegal, result.Verdict);
        Assert.False(result.IsLinearizable);
        Assert.Equal([("bad", Verdict.Illegal), ("good", Verdict.Ok)], result.Keys.Select(k => (k.Key, k.Verdict)));
    }
}
