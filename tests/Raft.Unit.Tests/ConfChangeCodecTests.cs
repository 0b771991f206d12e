using System.Buffers.Binary;
using MultiRaft.Raft;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>The entry payload of a membership change: round trips, and malformed input refused with FormatException only.</summary>
public class ConfChangeCodecTests
{
    private static readonly ConfChange Sample = new(ConfChangeTransition.JointExplicit,
        [new(ConfChangeType.AddVoter, 4), new(ConfChangeType.AddLearner, ulong.MaxValue), new(ConfChangeType.RemoveNode, 1)],
        new byte[] { 10, 20, 30, 40, 50 });

    private static void AssertSame(ConfChange want, ConfChange got)
    {
        Assert.Equal(want.Transition, got.Transition);
        Assert.Equal(want.Changes, got.Changes);
        Assert.Equal(want.Context.ToArray(), got.Context.ToArray());
        Assert.Equal(want.IsLeaveJoint, got.IsLeaveJoint);
    }

    public static TheoryData<int> RoundTripCases => new() { 0, 1, 2, 3, 4 };

    private static ConfChange RoundTripCase(int i) => i switch
    {
        0 => Sample,
        1 => ConfChange.LeaveJoint,
        2 => ConfChange.Single(ConfChangeType.RemoveNode, 7),
        3 => new ConfChange(ConfChangeTransition.JointImplicit, [new(ConfChangeType.AddVoter, 2)], "10.0.0.2:7000"u8.ToArray()),
        _ => new ConfChange(ConfChangeTransition.Auto, [new(ConfChangeType.AddVoter, 2), new(ConfChangeType.AddVoter, 3)]),
    };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void RoundTrip(int which)
    {
        var cc = RoundTripCase(which);

        var bytes = cc.Encode();
        var back = ConfChange.Decode(bytes);

        AssertSame(cc, back);
        Assert.Equal(bytes, back.Encode());
    }

    [Fact]
    public void Encode_Layout()
    {
        var bytes = ConfChange.Single(ConfChangeType.AddLearner, 0x0102).Encode();

        // version, transition, count (LE), then type + id (LE) per change, then context length and bytes.
        Assert.Equal(new byte[] { 1, 0, 1, 0, 0, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, bytes);
    }

    [Fact]
    public void Decode_EveryTruncationIsAFormatException()
    {
        var bytes = Sample.Encode();
        for (var len = 0; len < bytes.Length; len++)
        {
            var ex = Assert.Throws<FormatException>(() => ConfChange.Decode(bytes.AsMemory(0, len)));
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        }
    }

    [Fact]
    public void Decode_TrailingBytesAreAFormatException()
    {
        var bytes = Sample.Encode().Append((byte)0).ToArray();

        var ex = Assert.Throws<FormatException>(() => ConfChange.Decode(bytes));

        Assert.Equal($"conf change context length 5 does not fit {bytes.Length} bytes", ex.Message);
    }

    public static TheoryData<string, string> MalformedCases => new()
    {
        { "empty", "not a conf change payload (0 bytes)" },
        { "version 0", "not a conf change payload (19 bytes)" },
        { "version 2", "not a conf change payload (19 bytes)" },
        { "transition 3", "not a conf change payload (19 bytes)" },
        { "type 3", "conf change has unknown change type 3" },
        { "type 255", "conf change has unknown change type 255" },
        { "count -1", "conf change claims -1 changes in 19 bytes" },
        { "count 2", "conf change claims 2 changes in 19 bytes" },
        { "count max", "conf change claims 2147483647 changes in 19 bytes" },
        { "context -1", "conf change context length -1 does not fit 19 bytes" },
        { "context 1", "conf change context length 1 does not fit 19 bytes" },
        { "context max", "conf change context length 2147483647 does not fit 19 bytes" },
    };

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Decode_Malformed(string corruption, string message)
    {
        // One change, no context: 19 bytes.
        var b = ConfChange.Single(ConfChangeType.AddVoter, 5).Encode();
        switch (corruption)
        {
            case "empty": b = []; break;
            case "version 0": b[0] = 0; break;
            case "version 2": b[0] = 2; break;
            case "transition 3": b[1] = 3; break;
            case "type 3": b[6] = 3; break;
            case "type 255": b[6] = 255; break;
            case "count -1": BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), -1); break;
            case "count 2": BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), 2); break;
            case "count max": BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), int.MaxValue); break;
            case "context -1": BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(15), -1); break;
            case "context 1": BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(15), 1); break;
            case "context max": BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(15), int.MaxValue); break;
            default: throw new ArgumentOutOfRangeException(nameof(corruption));
        }

        var ex = Assert.Throws<FormatException>(() => ConfChange.Decode(b));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Decode_RandomBytesAndMutationsNeverThrowAnythingElse()
    {
        // Whatever the bytes, decoding either fails with FormatException or yields a change that
        // re-encodes to exactly the same bytes (the format is canonical).
        var rng = new Random(4242);
        var valid = Sample.Encode();
        var accepted = 0;
        for (var run = 0; run < 20000; run++)
        {
            byte[] b;
            if (run % 2 == 0)
            {
                b = new byte[rng.Next(0, 40)];
                rng.NextBytes(b);
                if (b.Length > 0 && rng.Next(2) == 0)
                {
                    b[0] = 1;
                }
            }
            else
            {
                b = (byte[])valid.Clone();
                for (var k = rng.Next(1, 4); k > 0; k--)
                {
                    b[rng.Next(b.Length)] = (byte)rng.Next(256);
                }
            }

            ConfChange cc;
            try
            {
                cc = ConfChange.Decode(b);
            }
            catch (FormatException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                continue;
            }

            accepted++;
            Assert.Equal(b, cc.Encode());
        }

        // Mutations of the id bytes or the context are still valid payloads: the check above ran.
        Assert.InRange(accepted, 100, 19000);
    }
}
