using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Grains.Tests.Wire;

public sealed class RaftWireTests
{
    public static TheoryData<MessageType> NetworkTypes() =>
        [.. Enum.GetValues<MessageType>().Where(t => !Message.IsLocal(t))];

    public static TheoryData<MessageType> LocalTypes() =>
        [.. Enum.GetValues<MessageType>().Where(Message.IsLocal)];

    [Theory]
    [MemberData(nameof(NetworkTypes))]
    public void Every_network_message_type_round_trips_through_bytes_with_every_field(MessageType type)
    {
        var original = Full(type);

        var back = RoundTrip(original);

        AssertSame(original, back);
    }

    [Fact]
    public void Empty_message_round_trips_with_defaults()
    {
        var original = new Message { Type = MessageType.Heartbeat };

        var back = RoundTrip(original);

        AssertSame(original, back);
        Assert.Null(back.Snapshot);
        Assert.Empty(back.Entries);
    }

    [Fact]
    public void Joint_membership_with_next_learners_and_auto_leave_round_trips()
    {
        var conf = new ConfState([1, 2, 4], votersOutgoing: [1, 2, 3], learners: [5], learnersNext: [3], autoLeave: true);
        var original = new Message
        {
            Type = MessageType.Snapshot,
            Snapshot = new Snapshot(99, 7, conf, new byte[] { 9, 8, 7 }),
        };

        var back = RoundTrip(original);

        Assert.Equal(conf, back.Snapshot!.ConfState);
        Assert.True(back.Snapshot.ConfState.IsJoint);
    }

    [Fact]
    public void Wire_numbers_of_message_kinds_are_fixed()
    {
        Assert.Equal(2, (int)RaftWire.ToWire(MessageType.Append));
        Assert.Equal(8, (int)RaftWire.ToWire(MessageType.Snapshot));
        Assert.Equal(14, (int)RaftWire.ToWire(MessageType.ReadIndexResponse));
    }

    [Theory]
    [MemberData(nameof(LocalTypes))]
    public void Local_message_types_are_refused_on_encode(MessageType type)
    {
        var ex = Assert.Throws<ArgumentException>(() => RaftWire.ToWire(new Message { Type = type }));
        Assert.Contains(type.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_flag_bits_are_refused_on_encode()
    {
        Assert.Throws<ArgumentException>(() =>
            RaftWire.ToWire(new Message { Type = MessageType.Heartbeat, Flags = (MessageFlags)0x80 }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(1000)]
    public void Unknown_or_unspecified_wire_type_is_a_format_error(int wireType)
    {
        var wire = new RaftMessage { Type = (RaftMessageType)wireType, To = 1 };

        var ex = Assert.Throws<FormatException>(() => RaftWire.FromWire(Reparse(wire)));
        Assert.Contains($"type {wireType}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_entry_type_is_a_format_error()
    {
        var wire = RaftWire.ToWire(Messages.Append(1, 2, 5));
        wire.Entries[0].Type = (RaftEntryType)7;

        Assert.Throws<FormatException>(() => RaftWire.FromWire(Reparse(wire)));
    }

    [Theory]
    [InlineData(8u)]
    [InlineData(256u)]
    public void Unknown_wire_flags_are_a_format_error(uint flags)
    {
        var wire = new RaftMessage { Type = RaftMessageType.Heartbeat, Flags = flags };

        Assert.Throws<FormatException>(() => RaftWire.FromWire(Reparse(wire)));
    }

    [Fact]
    public void Snapshot_message_without_snapshot_is_a_format_error()
    {
        var wire = new RaftMessage { Type = RaftMessageType.Snapshot };

        Assert.Throws<FormatException>(() => RaftWire.FromWire(Reparse(wire)));
    }

    [Fact]
    public void Snapshot_without_metadata_or_membership_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => RaftWire.FromWire(new RaftSnapshot()));
        Assert.Throws<FormatException>(() => RaftWire.FromWire(new RaftSnapshot { Metadata = new RaftSnapshotMetadata { Index = 3 } }));
    }

    [Fact]
    public void Snapshot_with_index_but_no_voters_is_a_format_error()
    {
        var wire = new RaftSnapshot { Metadata = new RaftSnapshotMetadata { Index = 3, Term = 1, ConfState = new RaftConfState() } };

        var ex = Assert.Throws<FormatException>(() => RaftWire.FromWire(wire));
        Assert.Contains("without voters", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, RaftConfState> BadMemberships() => new()
    {
        { "id 0", Conf(voters: [1, 0]) },
        { "twice", Conf(voters: [1, 2, 2]) },
        { "twice", Conf(voters: [1], learners: [3, 3]) },
        { "both a learner and a voter", Conf(voters: [1, 2], learners: [2]) },
        { "both a learner and a voter", Conf(voters: [1], outgoing: [1, 2], learners: [2]) },
        { "outgoing voter only", Conf(voters: [1, 2], learnersNext: [3]) },
        { "outgoing voter only", Conf(voters: [1, 3], outgoing: [1, 3], learnersNext: [3]) },
        { "auto-leave", Conf(voters: [1], autoLeave: true) },
    };

    [Theory]
    [MemberData(nameof(BadMemberships))]
    public void Bad_membership_is_a_format_error_that_names_the_fault(string fault, RaftConfState conf)
    {
        var ex = Assert.Throws<FormatException>(() => RaftWire.FromWire(RaftConfState.Parser.ParseFrom(conf.ToByteArray())));
        Assert.Contains(fault, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_membership_inside_a_snapshot_message_is_a_format_error()
    {
        var wire = new RaftMessage
        {
            Type = RaftMessageType.Snapshot,
            Snapshot = new RaftSnapshot
            {
                Metadata = new RaftSnapshotMetadata { Index = 4, Term = 2, ConfState = Conf(voters: [1, 1]) },
            },
        };

        Assert.Throws<FormatException>(() => RaftWire.FromWire(Reparse(wire)));
    }

    [Fact]
    public void Garbage_bytes_do_not_parse()
    {
        Assert.Throws<InvalidProtocolBufferException>(() => RaftMessage.Parser.ParseFrom([0xFF, 0xFF, 0xFF, 0xFF, 0xFF]));
    }

    private static RaftConfState Conf(ulong[] voters, ulong[]? outgoing = null, ulong[]? learners = null,
        ulong[]? learnersNext = null, bool autoLeave = false)
    {
        var c = new RaftConfState { AutoLeave = autoLeave };
        c.Voters.AddRange(voters);
        c.VotersOutgoing.AddRange(outgoing ?? []);
        c.Learners.AddRange(learners ?? []);
        c.LearnersNext.AddRange(learnersNext ?? []);
        return c;
    }

    // Every field set to a distinct value, so a swapped or dropped field fails the comparison.
    private static Message Full(MessageType type) => new()
    {
        Type = type,
        To = 2,
        From = 0xFFFF_FFFF_FFFF_FFF1,
        Term = 11,
        LogTerm = 12,
        Index = 13,
        Entries =
        [
            new Entry(21, 14, EntryType.Normal, new byte[] { 1, 2, 3 }),
            new Entry(22, 15, EntryType.ConfChange, new byte[] { 4, 5 }),
            new Entry(23, 16, EntryType.Normal, ReadOnlyMemory<byte>.Empty),
        ],
        Commit = 17,
        Snapshot = new Snapshot(18, 19, new ConfState([1, 2, 3], learners: [4]), new byte[] { 0xAA, 0xBB }),
        Reject = true,
        RejectHint = 20,
        Context = 0x8000_0000_0000_0001,
        Flags = MessageFlags.Quiesce | MessageFlags.Transfer | MessageFlags.Awake,
    };

    private static RaftMessage Reparse(RaftMessage wire) => RaftMessage.Parser.ParseFrom(wire.ToByteArray());

    private static Message RoundTrip(Message m) => RaftWire.FromWire(Reparse(RaftWire.ToWire(m)));

    private static void AssertSame(Message expected, Message actual)
    {
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.To, actual.To);
        Assert.Equal(expected.From, actual.From);
        Assert.Equal(expected.Term, actual.Term);
        Assert.Equal(expected.LogTerm, actual.LogTerm);
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Entries, actual.Entries);
        Assert.Equal(expected.Commit, actual.Commit);
        Assert.Equal(expected.Reject, actual.Reject);
        Assert.Equal(expected.RejectHint, actual.RejectHint);
        Assert.Equal(expected.Context, actual.Context);
        Assert.Equal(expected.Flags, actual.Flags);
        if (expected.Snapshot is null)
        {
            Assert.Null(actual.Snapshot);
            return;
        }

        Assert.NotNull(actual.Snapshot);
        Assert.Equal(expected.Snapshot.Index, actual.Snapshot.Index);
        Assert.Equal(expected.Snapshot.Term, actual.Snapshot.Term);
        Assert.Equal(expected.Snapshot.ConfState, actual.Snapshot.ConfState);
        Assert.Equal(expected.Snapshot.Data.ToArray(), actual.Snapshot.Data.ToArray());
    }
}
