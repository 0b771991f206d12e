using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>The session table's bounds (TESTING.md 16) and its log-only clock.</summary>
public sealed class SessionExpiryTests
{
    [Fact]
    public void A_session_idle_longer_than_the_ttl_expires_and_a_retry_is_refused()
    {
        var d = new KvDriver(new KvSessionOptions(SessionTtlMs: 1000, MaxSessions: 10));
        var c = d.OpenSession();
        Assert.Equal(KvResult.Ok(2), d.Put("k", "1", c, 1));
        d.Clock = 3000;
        d.Put("other", "x"); // some other client's entry carries the clock forward
        Assert.Equal(0, d.Machine.SessionCount);
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "1", c, 1));
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "2", c, 2));
        Assert.Equal(("1", 2UL), d.Get("k"));
    }

    [Fact]
    public void Idle_exactly_the_ttl_is_kept_one_more_millisecond_is_not()
    {
        var d = new KvDriver(new KvSessionOptions(SessionTtlMs: 1000, MaxSessions: 10));
        d.Clock = 500;
        var c = d.OpenSession();
        d.Clock = 1500;
        Assert.Equal(KvResult.Ok(2), d.Put("k", "1", c, 1));
        d.Clock = 2500;
        d.Put("x", "x");
        Assert.Equal(1, d.Machine.SessionCount);
        d.Clock = 2501;
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "2", c, 2));
    }

    [Fact]
    public void Activity_including_retries_keeps_a_session_alive()
    {
        var d = new KvDriver(new KvSessionOptions(SessionTtlMs: 1000, MaxSessions: 10));
        var c = d.OpenSession();
        d.Put("k", "1", c, 1);
        for (var t = 900; t <= 9000; t += 900)
        {
            d.Clock = t;
            Assert.Equal(KvResult.Ok(2), d.Put("k", "1", c, 1));
        }

        Assert.Equal(1, d.Machine.SessionCount);
    }

    [Fact]
    public void The_clock_never_goes_back_when_a_new_leader_stamps_older_times()
    {
        var d = new KvDriver(new KvSessionOptions(SessionTtlMs: 1000, MaxSessions: 10));
        d.Clock = 5000;
        var c = d.OpenSession();
        d.Clock = 100; // a new leader whose clock is behind
        d.Put("k", "1", c, 1);
        Assert.Equal(5000, d.Machine.NowMs);
        d.Clock = 6000;
        d.Put("x", "x");
        Assert.Equal(1, d.Machine.SessionCount); // touched at 5000 (the table's time), not at 100
        d.Clock = 6001;
        d.Put("x", "x");
        Assert.Equal(0, d.Machine.SessionCount);
    }

    [Fact]
    public void The_cap_evicts_the_least_recently_used_session()
    {
        var d = new KvDriver(new KvSessionOptions(SessionTtlMs: long.MaxValue, MaxSessions: 3));
        var a = d.OpenSession();
        var b = d.OpenSession();
        var c = d.OpenSession();
        d.Put("k", "a", a, 1); // a is now the most recent; b the least
        d.OpenSession();
        Assert.Equal(3, d.Machine.SessionCount);
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "b", b, 1));
        Assert.Equal(KvStatus.Ok, d.Put("k", "a", a, 2).Status);
        Assert.Equal(KvStatus.Ok, d.Put("k", "c", c, 1).Status);
    }

    [Fact]
    public void A_hundred_thousand_clients_keep_the_table_at_its_cap()
    {
        var d = new KvDriver(new KvSessionOptions(SessionTtlMs: 60_000, MaxSessions: 1000));
        var max = 0;
        for (var i = 0; i < 100_000; i++)
        {
            d.Clock = i; // 1 ms per client: the TTL alone would keep 60,000
            var c = d.OpenSession();
            Assert.Equal(KvStatus.Ok, d.Put("k" + (i % 100), "v", c, 1).Status);
            max = Math.Max(max, d.Machine.SessionCount);
        }

        Assert.Equal(1000, max);
        Assert.Equal(1000, d.Machine.SessionCount);
    }

    [Fact]
    public void A_hundred_thousand_clients_are_bounded_by_the_ttl_below_the_cap()
    {
        var d = new KvDriver(new KvSessionOptions(SessionTtlMs: 500, MaxSessions: 1_000_000));
        for (var i = 0; i < 100_000; i++)
        {
            d.Clock = i;
            var c = d.OpenSession();
            d.Put("k", "v", c, 1);
        }

        Assert.Equal(501, d.Machine.SessionCount);
    }

    [Fact]
    public void Two_replicas_fed_the_same_log_have_equal_digests_at_every_step()
    {
        var options = new KvSessionOptions(SessionTtlMs: 200, MaxSessions: 50);
        var a = new KvStateMachine(options);
        var b = new KvStateMachine(options);
        var log = RandomLog.Generate(seed: 5, count: 5000);
        for (var i = 0; i < log.Count; i++)
        {
            var ra = a.Apply((ulong)i + 1, log[i]);
            var rb = b.Apply((ulong)i + 1, log[i]);
            Assert.Equal(ra, rb);
            if (i % 97 == 0)
            {
                Assert.Equal(a.Digest(), b.Digest());
            }
        }

        Assert.Equal(a.Digest(), b.Digest());
        Assert.True(a.SessionCount is > 0 and <= 50);
    }
}
