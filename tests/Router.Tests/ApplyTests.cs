using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class ApplyTests
{
    [Fact]
    public void Unparsable_payload_throws_FormatException_and_changes_nothing()
    {
        var m = WithSilos(2);
        var digest = m.Digest();
        var index = m.LastAppliedIndex;

        // A length-delimited field claiming 5 bytes with only 1 present.
        Assert.Throws<FormatException>(() => m.Apply(index + 1, new byte[] { 0x12, 0x05, 0x01 }));
        Assert.Throws<FormatException>(() => RouterCommands.Decode([0xFF]));

        Assert.Equal(index, m.LastAppliedIndex);
        Assert.Equal(digest, m.Digest());
    }

    [Fact]
    public void Encoded_commands_round_trip()
    {
        var command = RouterCommands.AddReplica(4, "s2", new ShardEpoch { ConfVer = 3, RangeVer = 1 }, ReplicaRole.Learner, T0);

        Assert.Equal(command, RouterCommands.Decode(RouterCommands.Encode(command)));
    }

    [Fact]
    public void Empty_command_is_refused_but_consumes_its_index()
    {
        var m = WithSilos(1);
        var state = m.State.Clone();

        var result = m.Apply(m.LastAppliedIndex + 1, ReadOnlySpan<byte>.Empty);

        Assert.Equal(new RouterResult(RouterOutcome.Refused, RouterRefusals.EmptyCommand), result);
        Assert.Equal(2UL, m.LastAppliedIndex);
        Assert.Equal(state, m.State);
    }

    [Fact]
    public void Skip_moves_only_the_index_and_entries_apply_in_order()
    {
        var m = WithSilos(1);
        var state = m.State.Clone();

        m.Skip(10);

        Assert.Equal(10UL, m.LastAppliedIndex);
        Assert.Equal(state, m.State);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Skip(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Apply(9, RouterCommands.Heartbeat("s1", [], T0)));
        Assert.Equal(10UL, m.LastAppliedIndex);
    }
}
