using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>Each command and its precondition, one rule per test.</summary>
public sealed class CommandTests
{
    private readonly KvDriver d = new();

    [Fact]
    public void Put_writes_with_the_entry_index_as_version()
    {
        Assert.Equal(KvResult.Ok(1), d.Put("a", "1"));
        Assert.Equal(("1", 1UL), d.Get("a"));
        Assert.Equal(KvResult.Ok(2), d.Put("a", "2"));
        Assert.Equal(("2", 2UL), d.Get("a"));
        Assert.Equal(1, d.Machine.Count);
    }

    [Fact]
    public void Get_of_an_absent_key_is_null()
    {
        d.Put("a", "1");
        Assert.Null(d.Get("b"));
    }

    [Fact]
    public void Delete_returns_the_removed_version_and_NotFound_when_absent()
    {
        d.Put("a", "1");
        Assert.Equal(KvResult.Ok(1), d.Delete("a"));
        Assert.Null(d.Get("a"));
        Assert.Equal(KvResult.NotFound, d.Delete("a"));
        Assert.Equal(0, d.Machine.Count);
    }

    [Fact]
    public void Cas_applies_only_on_the_expected_version()
    {
        d.Put("a", "1");
        Assert.Equal(KvResult.PreconditionFailed(1), d.Cas("a", "x", expected: 7));
        Assert.Equal(("1", 1UL), d.Get("a"));
        Assert.Equal(KvResult.Ok(3), d.Cas("a", "2", expected: 1));
        Assert.Equal(("2", 3UL), d.Get("a"));
        Assert.Equal(KvResult.PreconditionFailed(3), d.Cas("a", "3", expected: 1));
    }

    [Fact]
    public void Cas_with_expected_zero_means_absent()
    {
        Assert.Equal(KvResult.Ok(1), d.Cas("a", "1", expected: 0));
        Assert.Equal(KvResult.PreconditionFailed(1), d.Cas("a", "2", expected: 0));
        Assert.Equal(("1", 1UL), d.Get("a"));
    }

    [Fact]
    public void Cas_on_an_absent_key_with_a_version_fails_with_current_zero()
    {
        Assert.Equal(KvResult.PreconditionFailed(0), d.Cas("a", "1", expected: 5));
        Assert.Null(d.Get("a"));
    }

    [Fact]
    public void Create_only_writes_an_absent_key()
    {
        Assert.Equal(KvResult.Ok(1), d.Create("a", "1"));
        Assert.Equal(KvResult.PreconditionFailed(1), d.Create("a", "2"));
        Assert.Equal(("1", 1UL), d.Get("a"));
        d.Delete("a");
        Assert.Equal(KvResult.Ok(4), d.Create("a", "3"));
    }

    [Fact]
    public void Conditional_delete_needs_the_current_version()
    {
        d.Put("a", "1");
        Assert.Equal(KvResult.PreconditionFailed(1), d.Cad("a", expected: 9));
        Assert.Equal(("1", 1UL), d.Get("a"));
        Assert.Equal(KvResult.Ok(1), d.Cad("a", expected: 1));
        Assert.Null(d.Get("a"));
        Assert.Equal(KvResult.PreconditionFailed(0), d.Cad("a", expected: 1));
    }

    [Fact]
    public void Skipped_entries_advance_the_index_and_change_nothing_else()
    {
        d.Put("a", "1");
        var before = d.Machine.Digest();
        d.Machine.Skip(2);
        Assert.Equal(2UL, d.Machine.LastAppliedIndex);
        Assert.Equal(KvResult.Ok(3), d.Put("b", "1"));
        Assert.NotEqual(before, d.Machine.Digest());
    }

    [Fact]
    public void Entries_apply_in_strictly_increasing_index_order()
    {
        d.Machine.Apply(5, KvCommand.Put(0, 0, [1], [2], KvDriver.Limits));
        Assert.Throws<InvalidOperationException>(() => d.Machine.Apply(5, KvCommand.Put(0, 0, [1], [3], KvDriver.Limits)));
        Assert.Throws<InvalidOperationException>(() => d.Machine.Apply(4, KvCommand.Put(0, 0, [1], [3], KvDriver.Limits)));
        Assert.Throws<InvalidOperationException>(() => d.Machine.Skip(5));
        Assert.Equal(5UL, d.Machine.Get([1])!.Version);
        Assert.Equal([2], d.Machine.Get([1])!.Value.ToArray());
    }

    [Fact]
    public void Versions_are_unique_and_increasing_per_key_across_delete_and_recreate()
    {
        var seen = new HashSet<ulong>();
        var last = new Dictionary<string, ulong>();
        var rng = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var key = "k" + rng.Next(10);
            var r = rng.Next(4) switch
            {
                0 => d.Put(key, "v"),
                1 => d.Delete(key),
                2 => d.Create(key, "v"),
                _ => d.Cas(key, "v", d.Get(key)?.Version ?? 0),
            };
            if (d.Get(key) is { } now && r.Status == KvStatus.Ok && now.Version == d.Machine.LastAppliedIndex)
            {
                Assert.True(seen.Add(now.Version));
                Assert.True(now.Version > last.GetValueOrDefault(key));
                last[key] = now.Version;
            }
        }

        Assert.True(seen.Count > 500, $"only {seen.Count} writes");
    }
}
