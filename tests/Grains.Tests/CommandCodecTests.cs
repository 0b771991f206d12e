using System.Buffers.Binary;
using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>The command and result wire formats: round trips, malformed input, size limits.</summary>
public sealed class CommandCodecTests
{
    private static readonly KvLimits Limits = new(MaxKeyBytes: 8, MaxValueBytes: 16);

    public static TheoryData<string> AllKinds => new() { "open", "put", "put-nosession", "delete", "cas", "create", "cad" };

    private static KvCommand Build(string kind) => kind switch
    {
        "open" => KvCommand.OpenSession(),
        "put" => KvCommand.Put(7, 3, [0xFF, 0x00], [1, 2, 3], Limits),
        "put-nosession" => KvCommand.Put(0, 0, [1], [], Limits),
        "delete" => KvCommand.Delete(7, 4, [9], Limits),
        "cas" => KvCommand.CompareAndSet(7, 5, [9], [4], 0, Limits),
        "create" => KvCommand.Create(7, 6, [9], [5, 6], Limits),
        _ => KvCommand.CompareAndDelete(7, 7, [9], ulong.MaxValue, Limits),
    };

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Commands_round_trip(string kind)
    {
        var c = Build(kind).WithTimestamp(-12345);
        var bytes = CommandCodec.Encode(c);
        var back = CommandCodec.DecodeCommand(bytes, Limits);
        Assert.Equal(c.ToString(), back.ToString());
        Assert.Equal(c.Value.ToArray(), back.Value.ToArray());
        Assert.Equal(bytes, CommandCodec.Encode(back));
        Assert.Equal(CommandCodec.GetSize(c), bytes.Length);
    }

    [Fact]
    public void The_layout_is_fixed()
    {
        var bytes = CommandCodec.Encode(KvCommand.Put(0x0102, 3, [0xAA], [0xBB, 0xCC], Limits).WithTimestamp(5));
        Assert.Equal(
            "01" + "02" + "0201000000000000" + "0300000000000000" + "0500000000000000" + "0000000000000000" + "01000000" + "AA" + "02000000" + "BBCC",
            Convert.ToHexString(bytes));
    }

    [Fact]
    public void The_leader_stamps_the_timestamp_in_place()
    {
        var bytes = CommandCodec.Encode(KvCommand.Put(7, 1, [1], [2], Limits));
        CommandCodec.StampTimestamp(bytes, 987654321);
        Assert.Equal(987654321, CommandCodec.DecodeCommand(bytes, Limits).TimestampMs);
        Assert.Throws<FormatException>(() => CommandCodec.StampTimestamp(new byte[10], 1));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Every_truncation_and_any_trailing_byte_is_rejected(string kind)
    {
        var bytes = CommandCodec.Encode(Build(kind));
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Throws<FormatException>(() => CommandCodec.DecodeCommand(bytes.AsSpan(0, n), Limits));
        }

        Assert.Throws<FormatException>(() => CommandCodec.DecodeCommand([.. bytes, 0], Limits));
    }

    [Theory]
    [InlineData(0, 2, "unknown format version 2")]
    [InlineData(1, 0, "unknown command kind 0")]
    [InlineData(1, 8, "unknown command kind 8")]
    [InlineData(1, 7, "a split carries")]
    public void Unknown_version_or_kind_is_rejected(int offset, byte value, string message)
    {
        var bytes = CommandCodec.Encode(Build("put"));
        bytes[offset] = value;
        var ex = Assert.Throws<FormatException>(() => CommandCodec.DecodeCommand(bytes, Limits));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lengths_that_lie_are_rejected()
    {
        var bytes = CommandCodec.Encode(Build("put"));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), -1);
        Assert.Throws<FormatException>(() => CommandCodec.DecodeCommand(bytes, Limits));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), int.MaxValue);
        Assert.Throws<FormatException>(() => CommandCodec.DecodeCommand(bytes, Limits));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), 3); // swallows part of the value length
        Assert.Throws<FormatException>(() => CommandCodec.DecodeCommand(bytes, Limits));
    }

    [Theory]
    [InlineData(KvCommandKind.Put, 1UL, 0UL, 1, 0, 0UL, "sequences start at 1")]
    [InlineData(KvCommandKind.Put, 0UL, 1UL, 1, 0, 0UL, "sequences start at 1")]
    [InlineData(KvCommandKind.Put, 1UL, 1UL, 0, 0, 0UL, "key is empty")]
    [InlineData(KvCommandKind.Put, 1UL, 1UL, 1, 0, 5UL, "carries no expected version")]
    [InlineData(KvCommandKind.Delete, 1UL, 1UL, 1, 1, 0UL, "carries no value")]
    [InlineData(KvCommandKind.CompareAndDelete, 1UL, 1UL, 1, 0, 0UL, "non-zero expected version")]
    [InlineData(KvCommandKind.OpenSession, 1UL, 0UL, 0, 0, 0UL, "open-session")]
    [InlineData(KvCommandKind.OpenSession, 0UL, 0UL, 1, 0, 0UL, "open-session")]
    public void Structurally_invalid_commands_are_rejected(KvCommandKind kind, ulong client, ulong seq, int keyLength, int valueLength, ulong expected, string message)
    {
        var bytes = Raw(kind, client, seq, new byte[keyLength], new byte[valueLength], expected);
        var ex = Assert.Throws<FormatException>(() => CommandCodec.DecodeCommand(bytes, Limits));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_factories_enforce_the_same_rules()
    {
        Assert.Throws<ArgumentException>(() => KvCommand.Put(1, 0, [1], [], Limits));
        Assert.Throws<ArgumentException>(() => KvCommand.Put(0, 1, [1], [], Limits));
        Assert.Throws<ArgumentException>(() => KvCommand.Put(1, 1, [], [], Limits));
        Assert.Throws<ArgumentException>(() => KvCommand.CompareAndDelete(1, 1, [1], 0, Limits));
    }

    [Fact]
    public void Oversized_keys_and_values_are_rejected_when_built_and_when_decoded()
    {
        var key = Assert.Throws<KvLimitExceededException>(() => KvCommand.Put(1, 1, new byte[9], [], Limits));
        Assert.Equal(("key", 9, 8), (key.What, key.Size, key.Max));
        var value = Assert.Throws<KvLimitExceededException>(() => KvCommand.CompareAndSet(1, 1, [1], new byte[17], 0, Limits));
        Assert.Equal(("value", 17, 16), (value.What, value.Size, value.Max));
        Assert.Equal(8, KvCommand.Put(1, 1, new byte[8], new byte[16], Limits).Key.Length);

        var big = CommandCodec.Encode(KvCommand.Put(1, 1, new byte[100], new byte[100], KvLimits.Default));
        Assert.Throws<KvLimitExceededException>(() => CommandCodec.DecodeCommand(big, Limits));
        Assert.Equal(100, CommandCodec.DecodeCommand(big, KvLimits.Default).Value.Length);
    }

    [Fact]
    public void Limits_are_not_reapplied_when_a_committed_entry_is_applied()
    {
        // A replica configured with smaller limits must still apply what its peers applied.
        var m = new KvStateMachine();
        var big = CommandCodec.Encode(KvCommand.Put(0, 0, new byte[100], new byte[5000], new KvLimits(100, 5000)));
        Assert.Equal(KvResult.Ok(1), m.Apply(1, big));
    }

    [Fact]
    public void A_malformed_entry_changes_nothing()
    {
        var m = new KvStateMachine();
        m.Apply(1, KvCommand.Put(0, 0, [1], [1], Limits));
        var digest = m.Digest();
        Assert.Throws<FormatException>(() => m.Apply(2, new byte[] { 1, 2, 3 }));
        Assert.Equal(digest, m.Digest());
        Assert.Equal(1UL, m.LastAppliedIndex);
    }

    [Theory]
    [InlineData(KvStatus.Ok, 42UL)]
    [InlineData(KvStatus.NotFound, 0UL)]
    [InlineData(KvStatus.PreconditionFailed, ulong.MaxValue)]
    [InlineData(KvStatus.StaleRequest, 0UL)]
    [InlineData(KvStatus.SessionExpired, 0UL)]
    public void Results_round_trip(KvStatus status, ulong version)
    {
        var r = new KvResult(status, version);
        var bytes = CommandCodec.Encode(r);
        Assert.Equal(CommandCodec.ResultSize, bytes.Length);
        Assert.Equal(r, CommandCodec.DecodeResult(bytes));
    }

    [Fact]
    public void Malformed_results_are_rejected()
    {
        var good = CommandCodec.Encode(KvResult.Ok(1));
        for (var n = 0; n < good.Length; n++)
        {
            Assert.Throws<FormatException>(() => CommandCodec.DecodeResult(good.AsSpan(0, n)));
        }

        Assert.Throws<FormatException>(() => CommandCodec.DecodeResult([.. good, 0]));
        Assert.Throws<FormatException>(() => CommandCodec.DecodeResult([2, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.Throws<FormatException>(() => CommandCodec.DecodeResult([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.Throws<FormatException>(() => CommandCodec.DecodeResult([1, 7, 0, 0, 0, 0, 0, 0, 0, 0]));
    }

    private static byte[] Raw(KvCommandKind kind, ulong client, ulong seq, byte[] key, byte[] value, ulong expected)
    {
        var buf = new byte[38 + key.Length + 4 + value.Length];
        buf[0] = 1;
        buf[1] = (byte)kind;
        BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(2), client);
        BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(10), seq);
        BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(26), expected);
        BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(34), key.Length);
        key.CopyTo(buf, 38);
        BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(38 + key.Length), value.Length);
        value.CopyTo(buf, 42 + key.Length);
        return buf;
    }
}
