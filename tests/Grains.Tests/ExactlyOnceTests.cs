using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>
/// TESTING.md 14 at the state-machine level: a command committed twice (a client retry that the
/// leader proposed again) takes effect once and returns the same result both times.
/// </summary>
public sealed class ExactlyOnceTests
{
    private readonly KvDriver d = new();

    public static TheoryData<string> Kinds => new() { "put", "delete", "cas", "cas-fail", "create", "create-fail", "cad", "cad-fail" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_command_applied_at_two_indexes_takes_effect_once(string kind)
    {
        var c = d.OpenSession();
        d.Put("k", "old", c, 1);
        var v = d.Get("k")!.Value.Version;
        var command = kind switch
        {
            "put" => KvCommand.Put(c, 2, "k"u8, "new"u8, KvDriver.Limits),
            "delete" => KvCommand.Delete(c, 2, "k"u8, KvDriver.Limits),
            "cas" => KvCommand.CompareAndSet(c, 2, "k"u8, "new"u8, v, KvDriver.Limits),
            "cas-fail" => KvCommand.CompareAndSet(c, 2, "k"u8, "new"u8, v + 100, KvDriver.Limits),
            "create" => KvCommand.Create(c, 2, "fresh"u8, "new"u8, KvDriver.Limits),
            "create-fail" => KvCommand.Create(c, 2, "k"u8, "new"u8, KvDriver.Limits),
            "cad" => KvCommand.CompareAndDelete(c, 2, "k"u8, v, KvDriver.Limits),
            _ => KvCommand.CompareAndDelete(c, 2, "k"u8, v + 100, KvDriver.Limits),
        };

        var first = d.Apply(command);
        var afterFirst = Snapshot();
        d.Put("other", "x"); // unrelated traffic between the two copies
        var afterOther = Snapshot();
        var retry = d.Apply(command);

        Assert.Equal(first, retry);
        Assert.Equal(afterOther, Snapshot());
        Assert.NotEqual(afterFirst, afterOther);
    }

    [Fact]
    public void A_retried_put_after_a_competing_write_does_not_overwrite_it()
    {
        var a = d.OpenSession();
        var b = d.OpenSession();
        Assert.Equal(KvResult.Ok(3), d.Put("k", "a", a, 1));
        Assert.Equal(KvResult.Ok(4), d.Put("k", "b", b, 1));
        Assert.Equal(KvResult.Ok(3), d.Put("k", "a", a, 1));
        Assert.Equal(("b", 4UL), d.Get("k"));
    }

    [Fact]
    public void Concurrent_cas_increments_with_duplicates_apply_once_each()
    {
        // Three clients increment a counter by CAS; every proposal is committed two or three times.
        var rng = new Random(11);
        var clients = Enumerable.Range(0, 3).Select(_ => d.OpenSession()).ToArray();
        var seq = new ulong[3];
        var oks = 0;
        d.Put("n", "0");
        for (var round = 0; round < 300; round++)
        {
            var i = rng.Next(3);
            var (value, version) = d.Get("n")!.Value;
            var cmd = KvCommand.CompareAndSet(clients[i], ++seq[i], "n"u8, KvDriver.B((int.Parse(value) + 1).ToString()), version, KvDriver.Limits);
            var copies = 2 + rng.Next(2);
            var results = Enumerable.Range(0, copies).Select(_ => d.Apply(cmd)).Distinct().ToArray();
            var only = Assert.Single(results);
            oks += only.Status == KvStatus.Ok ? 1 : 0;
        }

        Assert.Equal(300, oks);
        Assert.Equal(oks.ToString(), d.Get("n")!.Value.Value);
    }

    [Fact]
    public void Older_sequences_are_stale_and_apply_nothing()
    {
        var c = d.OpenSession();
        d.Put("k", "1", c, 1);
        d.Put("k", "2", c, 2);
        var before = Snapshot();
        Assert.Equal(KvResult.StaleRequest, d.Put("k", "1", c, 1));
        Assert.Equal(("2", 3UL), d.Get("k"));
        Assert.Equal(KvResult.Ok(3), d.Put("k", "2", c, 2));
        Assert.Equal(before.Keys, Snapshot().Keys);
    }

    [Fact]
    public void Sequences_may_skip_ahead()
    {
        var c = d.OpenSession();
        Assert.Equal(KvResult.Ok(2), d.Put("k", "1", c, 5));
        Assert.Equal(KvResult.StaleRequest, d.Put("k", "0", c, 4));
        Assert.Equal(KvResult.Ok(4), d.Put("k", "2", c, 9));
    }

    [Fact]
    public void An_unknown_client_is_refused_as_expired_and_nothing_applies()
    {
        var c = d.OpenSession();
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "1", c + 1, 1));
        Assert.Equal(KvResult.SessionExpired, d.Cas("k", "1", 0, 12345, 1));
        Assert.Null(d.Get("k"));
        Assert.Equal(1, d.Machine.SessionCount);
    }

    [Fact]
    public void Writes_without_a_session_apply_every_time()
    {
        Assert.Equal(KvResult.Ok(1), d.Put("k", "1"));
        Assert.Equal(KvResult.Ok(2), d.Put("k", "1"));
        Assert.Equal(0, d.Machine.SessionCount);
    }

    [Fact]
    public void Opening_a_session_twice_gives_two_distinct_clients()
    {
        Assert.Equal(1UL, d.OpenSession());
        Assert.Equal(2UL, d.OpenSession());
        Assert.Equal(2, d.Machine.SessionCount);
    }

    private (string Keys, int Sessions) Snapshot() =>
        (string.Join(";", d.Machine.Scan([], int.MaxValue).Select(i => $"{KvDriver.S(i.Key)}={KvDriver.S(i.Value)}@{i.Version}")), d.Machine.SessionCount);
}
