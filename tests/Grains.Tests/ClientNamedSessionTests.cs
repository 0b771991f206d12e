using System.Buffers;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>
/// Sessions a client names itself (<see cref="SessionIds"/>): the first write opens one, its
/// retries are answered from it, and once dropped it never opens again, so a late retry of a first
/// write cannot apply twice.
/// </summary>
public sealed class ClientNamedSessionTests
{
    // The log's clock in these tests: Unix second 1,000,000.
    private const long Now = 1_000_000_000;

    private static ulong Named(long second, uint random = 7) => SessionIds.ClientNamed(second, random);

    private static KvDriver Driver(int maxSessions = 10) =>
        new(new KvSessionOptions(SessionTtlMs: 1000, MaxSessions: maxSessions)) { Clock = Now };

    [Fact]
    public void The_layout_keeps_the_top_bit_the_second_and_31_random_bits()
    {
        var id = SessionIds.ClientNamed(1_780_000_000, uint.MaxValue);
        Assert.True(SessionIds.IsClientNamed(id));
        Assert.Equal(1_780_000_000, SessionIds.SecondOf(id));
        Assert.Equal((1UL << 31) - 1, id & ((1UL << 31) - 1));
        Assert.False(SessionIds.IsClientNamed(1UL << 62)); // any log index
        var drawn = SessionIds.NewClientNamed(DateTimeOffset.FromUnixTimeSeconds(1_780_000_000));
        Assert.Equal(1_780_000_000, SessionIds.SecondOf(drawn));
    }

    [Fact]
    public void A_first_write_opens_its_session_and_its_retry_is_answered_without_applying_again()
    {
        var d = Driver();
        var c = Named(Now / 1000);
        Assert.Equal(KvResult.Ok(1), d.Put("k", "1", c, 1));
        Assert.Equal(1, d.Machine.SessionCount);
        d.Put("k", "other");
        Assert.Equal(KvResult.Ok(1), d.Put("k", "1", c, 1));
        Assert.Equal(("other", 2UL), d.Get("k"));
        Assert.Equal(KvResult.Ok(4), d.Put("k", "2", c, 2));
    }

    [Fact]
    public void Only_sequence_1_opens_a_session()
    {
        var d = Driver();
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "1", Named(Now / 1000), 2));
        Assert.Equal(0, d.Machine.SessionCount);
        Assert.Null(d.Get("k"));
    }

    [Fact]
    public void A_retry_of_a_first_write_after_its_session_expired_is_refused_and_so_are_ids_drawn_no_later()
    {
        var d = Driver();
        var c = Named(Now / 1000);
        Assert.Equal(KvResult.Ok(1), d.Put("k", "1", c, 1));
        d.Clock = Now + 5000;
        d.Put("x", "x"); // expires c
        Assert.Equal(0, d.Machine.SessionCount);
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "1", c, 1));
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "1", Named(Now / 1000, 8), 1));
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "1", Named((Now / 1000) - 60, 9), 1));
        Assert.Equal(("1", 1UL), d.Get("k"));
        Assert.Equal(KvResult.Ok(6), d.Put("k", "2", Named((Now / 1000) + 1), 1));
    }

    [Fact]
    public void A_session_evicted_by_the_cap_cannot_be_opened_again()
    {
        var d = Driver(maxSessions: 2);
        var first = Named(Now / 1000, 1);
        Assert.Equal(KvResult.Ok(1), d.Put("a", "1", first, 1));
        Assert.Equal(KvResult.Ok(2), d.Put("b", "1", Named(Now / 1000, 2), 1));
        Assert.Equal(KvResult.Ok(3), d.Put("c", "1", Named((Now / 1000) + 1, 3), 1)); // evicts first
        Assert.Equal(KvResult.SessionExpired, d.Put("a", "1", first, 1));
        Assert.Equal(("1", 1UL), d.Get("a"));
    }

    [Fact]
    public void An_id_drawn_more_than_five_minutes_ahead_of_the_log_is_refused()
    {
        var d = Driver();
        var limit = (Now + SessionTable.MaxClockAheadMs) / 1000;
        Assert.Equal(KvResult.SessionExpired, d.Put("k", "1", Named(limit + 1), 1));
        Assert.Equal(KvResult.Ok(2), d.Put("k", "1", Named(limit), 1));
    }

    [Fact]
    public void A_snapshot_keeps_the_floor_in_format_3_and_a_table_that_never_dropped_one_stays_in_format_1()
    {
        var d = Driver();
        d.Put("k", "1", Named(Now / 1000), 1);
        Assert.Equal(KvStateMachine.SnapshotFormatVersion, Snapshot(d.Machine)[4]);
        d.Clock = Now + 5000;
        d.Put("x", "x");

        var bytes = Snapshot(d.Machine);
        Assert.Equal(KvStateMachine.FloorSnapshotFormatVersion, bytes[4]);
        Assert.Equal(bytes.Length, d.Machine.SnapshotLength);
        var restored = new KvDriver(new KvStateMachine(new KvSessionOptions(SessionTtlMs: 1000, MaxSessions: 10))) { Clock = Now + 5000 };
        restored.Machine.RestoreSnapshot(bytes);
        Assert.Equal(d.Machine.Digest(), restored.Machine.Digest());
        Assert.Equal(KvResult.SessionExpired, restored.Put("k", "2", Named(Now / 1000, 99), 1));
    }

    [Fact]
    public void A_split_child_inherits_the_floor()
    {
        var d = Driver();
        d.Put("k", "1", Named(Now / 1000), 1);
        d.Clock = Now + 5000;
        d.Put("x", "x");
        Assert.Equal(KvResult.Ok(3), d.Apply(KvCommand.Split(KeyHash.SpaceEnd / 2, KeyHash.SpaceEnd, 2, 9, [(1, 11)])));
        var child = new KvDriver(d.Machine.LastSplit!.Child) { Clock = Now + 5000 };
        Assert.Equal(KvResult.SessionExpired, child.Put(HighKey(), "2", Named(Now / 1000, 99), 1));
        Assert.Equal(KvResult.Ok(5), child.Put(HighKey(), "2", Named((Now / 1000) + 1, 99), 1));
    }

    private static string HighKey() =>
        Enumerable.Range(0, 100).Select(i => "key-" + i).First(k => KeyHash.Of(KvDriver.B(k)) >= KeyHash.SpaceEnd / 2);

    private static byte[] Snapshot(KvStateMachine machine)
    {
        var w = new ArrayBufferWriter<byte>();
        machine.WriteSnapshot(w);
        return w.WrittenSpan.ToArray();
    }
}
