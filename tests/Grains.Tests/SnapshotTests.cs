using System.Buffers;
using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>Snapshots round-trip exactly, behave identically after restore, and reject corruption whole.</summary>
public sealed class SnapshotTests
{
    private static readonly KvSessionOptions Options = new(SessionTtlMs: 300, MaxSessions: 40);

    private static KvStateMachine Replay(IReadOnlyList<byte[]> log, int count)
    {
        var m = new KvStateMachine(Options);
        for (var i = 0; i < count; i++)
        {
            m.Apply((ulong)i + 1, log[i]);
        }

        return m;
    }

    private static byte[] Snapshot(KvStateMachine m)
    {
        var w = new ArrayBufferWriter<byte>();
        m.WriteSnapshot(w);
        return w.WrittenSpan.ToArray();
    }

    [Fact]
    public void Round_trip_restores_an_equal_digest_and_identical_bytes()
    {
        var source = Replay(RandomLog.Generate(1, 3000), 3000);
        var bytes = Snapshot(source);
        var copy = new KvStateMachine(Options);
        copy.RestoreSnapshot(bytes);
        Assert.Equal(source.Digest(), copy.Digest());
        Assert.Equal(bytes, Snapshot(copy));
        Assert.Equal(source.LastAppliedIndex, copy.LastAppliedIndex);
        Assert.Equal(source.SessionCount, copy.SessionCount);
        Assert.Equal(source.NowMs, copy.NowMs);
        Assert.True(source.Count > 0 && source.SessionCount > 0);
    }

    [Fact]
    public void The_announced_length_is_the_written_length_as_the_state_changes_and_after_restore()
    {
        var log = RandomLog.Generate(4, 2000);
        var m = new KvStateMachine(Options);
        for (var i = 0; i < log.Count; i++)
        {
            m.Apply((ulong)i + 1, log[i]);
            if (i % 97 == 0)
            {
                Assert.Equal(Snapshot(m).Length, m.SnapshotLength);
            }
        }

        var restored = new KvStateMachine(Options);
        restored.RestoreSnapshot(Snapshot(m));
        Assert.Equal(Snapshot(m).Length, restored.SnapshotLength);
        Assert.True(m.Count > 0 && m.SessionCount > 0);
    }

    [Fact]
    public void Stream_and_buffer_writers_produce_the_same_snapshot()
    {
        var m = Replay(RandomLog.Generate(2, 500), 500);
        using var ms = new MemoryStream();
        m.WriteSnapshot(ms);
        Assert.Equal(Snapshot(m), ms.ToArray());
    }

    [Fact]
    public void The_digest_is_the_snapshot_trailer_and_tracks_every_change()
    {
        var m = Replay(RandomLog.Generate(3, 200), 200);
        var bytes = Snapshot(m);
        Assert.Equal(bytes[^32..], m.Digest());
        var before = m.Digest();
        m.Skip(m.LastAppliedIndex + 1);
        Assert.NotEqual(before, m.Digest());
    }

    [Fact]
    public void After_restore_the_copy_behaves_exactly_like_the_original()
    {
        var log = RandomLog.Generate(4, 4000);
        var original = Replay(log, 2000);
        var copy = new KvStateMachine(Options);
        copy.RestoreSnapshot(Snapshot(original));
        for (var i = 2000; i < log.Count; i++)
        {
            Assert.Equal(original.Apply((ulong)i + 1, log[i]), copy.Apply((ulong)i + 1, log[i]));
        }

        Assert.Equal(original.Digest(), copy.Digest());
    }

    [Fact]
    public void A_retried_command_is_deduplicated_after_restore()
    {
        var d = new KvDriver(Options);
        var c = d.OpenSession();
        var cas = KvCommand.CompareAndSet(c, 1, "k"u8, "v"u8, 0, KvDriver.Limits);
        var first = d.Apply(cas);
        var restored = new KvDriver(new KvStateMachine(Options));
        restored.Machine.RestoreSnapshot(Snapshot(d.Machine));
        Assert.Equal(first, restored.Apply(cas));
        Assert.Equal(KvResult.Ok(2), first);
        Assert.Equal(("v", 2UL), restored.Get("k"));
        Assert.Equal(KvResult.Ok(4), restored.Put("k", "w", c, 2));
        Assert.Equal(KvResult.StaleRequest, restored.Apply(cas));
    }

    [Fact]
    public void An_empty_machine_round_trips()
    {
        var copy = new KvStateMachine(Options);
        copy.RestoreSnapshot(Snapshot(new KvStateMachine(Options)));
        Assert.Equal(new KvStateMachine(Options).Digest(), copy.Digest());
        Assert.Equal(0UL, copy.LastAppliedIndex);
    }

    [Fact]
    public void Every_truncation_and_every_flipped_byte_is_rejected_and_changes_nothing()
    {
        var bytes = Snapshot(Replay(RandomLog.Generate(6, 300), 300));
        var target = Replay(RandomLog.Generate(7, 50), 50);
        var digest = target.Digest();
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Throws<FormatException>(() => target.RestoreSnapshot(bytes.AsSpan(0, n)));
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var bad = (byte[])bytes.Clone();
            bad[i] ^= 0x01;
            Assert.Throws<FormatException>(() => target.RestoreSnapshot(bad));
        }

        Assert.Throws<FormatException>(() => target.RestoreSnapshot([.. bytes, 0]));
        Assert.Equal(digest, target.Digest());
    }

    [Fact]
    public void A_well_checksummed_but_inconsistent_snapshot_is_rejected()
    {
        // Keys out of order: the checksum holds, the content check must catch it.
        var w = new ArrayBufferWriter<byte>();
        var body = new List<byte>();
        body.AddRange("MRKV"u8.ToArray());
        body.Add(1);
        body.AddRange(BitConverter.GetBytes(10UL));
        body.AddRange(BitConverter.GetBytes(0L));
        body.AddRange(BitConverter.GetBytes(2));
        foreach (var k in new byte[] { 2, 1 })
        {
            body.AddRange(BitConverter.GetBytes(1));
            body.Add(k);
            body.AddRange(BitConverter.GetBytes(0));
            body.AddRange(BitConverter.GetBytes(5UL));
        }

        body.AddRange(BitConverter.GetBytes(0));
        var bytes = body.Concat(System.Security.Cryptography.SHA256.HashData(body.ToArray())).ToArray();
        var target = new KvStateMachine(Options);
        var ex = Assert.Throws<FormatException>(() => target.RestoreSnapshot(bytes));
        Assert.Contains("out of order", ex.Message, StringComparison.Ordinal);

        // The same body with keys in order restores: the check above failed for the order alone.
        Assert.Equal(2, bytes[29]);
        bytes[29] = 1;
        bytes[46] = 2;
        var fixedBody = bytes[..^32];
        target.RestoreSnapshot([.. fixedBody, .. System.Security.Cryptography.SHA256.HashData(fixedBody)]);
        Assert.Equal(2, target.Count);
        Assert.Equal(10UL, target.LastAppliedIndex);
    }

    [Fact]
    public void A_snapshot_with_more_sessions_than_the_cap_is_rejected()
    {
        var big = new KvStateMachine(new KvSessionOptions(SessionTtlMs: 1000, MaxSessions: 100));
        for (ulong i = 1; i <= 50; i++)
        {
            big.Apply(i, KvCommand.OpenSession());
        }

        var small = new KvStateMachine(new KvSessionOptions(SessionTtlMs: 1000, MaxSessions: 10));
        Assert.Throws<FormatException>(() => small.RestoreSnapshot(Snapshot(big)));
        Assert.Equal(0, small.SessionCount);
    }
}
