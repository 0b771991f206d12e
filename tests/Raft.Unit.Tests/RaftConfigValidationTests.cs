using MultiRaft.Raft;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Every invalid setting is refused with an ArgumentException that names it.</summary>
public class RaftConfigValidationTests
{
    private static RaftConfig Valid() => new() { Id = 1, Storage = new MemoryStorage(new ConfState([1UL])) };

    public static TheoryData<string, string> InvalidCases => new()
    {
        { "Id=0", "RaftConfig.Id must not be 0 (0 means 'no member')" },
        { "HeartbeatTick=0", "RaftConfig.HeartbeatTick must be positive (is 0)" },
        { "HeartbeatTick=-1", "RaftConfig.HeartbeatTick must be positive (is -1)" },
        { "ElectionTick=HeartbeatTick", "RaftConfig.ElectionTick (3) must exceed HeartbeatTick (3)" },
        { "ElectionTick<HeartbeatTick", "RaftConfig.ElectionTick (3) must exceed HeartbeatTick (5)" },
        { "Storage=null", "RaftConfig.Storage must be set" },
        { "MaxInflightMsgs=0", "RaftConfig.MaxInflightMsgs must be positive (is 0)" },
        { "MaxInflightMsgs=-2", "RaftConfig.MaxInflightMsgs must be positive (is -2)" },
        { "MaxSizePerMsg=0", "RaftConfig.MaxSizePerMsg must be positive (is 0)" },
        { "MaxSizePerMsg=-1", "RaftConfig.MaxSizePerMsg must be positive (is -1)" },
        { "MaxInflightBytes=-1", "RaftConfig.MaxInflightBytes must not be negative (is -1)" },
        { "MaxUncommittedEntriesSize=-1", "RaftConfig.MaxUncommittedEntriesSize must not be negative (is -1)" },
        { "MaxCommittedSizePerReady=-1", "RaftConfig.MaxCommittedSizePerReady must not be negative (is -1)" },
        { "MaxInflightBytes<MaxSizePerMsg", "RaftConfig.MaxInflightBytes (1023) must be at least MaxSizePerMsg (1024)" },
        { "LeaseBased without CheckQuorum", "RaftConfig.ReadOnlyOption LeaseBased requires CheckQuorum" },
        { "LeaseMarginTicks=-1", "RaftConfig.LeaseMarginTicks (-1) must be in [0, ElectionTick)" },
        { "LeaseMarginTicks=ElectionTick", "RaftConfig.LeaseMarginTicks (10) must be in [0, ElectionTick)" },
    };

    private static RaftConfig Invalid(string setting)
    {
        var c = Valid();
        switch (setting)
        {
            case "Id=0": c.Id = 0; break;
            case "HeartbeatTick=0": c.HeartbeatTick = 0; break;
            case "HeartbeatTick=-1": c.HeartbeatTick = -1; break;
            case "ElectionTick=HeartbeatTick": c.ElectionTick = 3; c.HeartbeatTick = 3; c.LeaseMarginTicks = 0; break;
            case "ElectionTick<HeartbeatTick": c.ElectionTick = 3; c.HeartbeatTick = 5; c.LeaseMarginTicks = 0; break;
            case "Storage=null": c.Storage = null; break;
            case "MaxInflightMsgs=0": c.MaxInflightMsgs = 0; break;
            case "MaxInflightMsgs=-2": c.MaxInflightMsgs = -2; break;
            case "MaxSizePerMsg=0": c.MaxSizePerMsg = 0; break;
            case "MaxSizePerMsg=-1": c.MaxSizePerMsg = -1; break;
            case "MaxInflightBytes=-1": c.MaxInflightBytes = -1; break;
            case "MaxUncommittedEntriesSize=-1": c.MaxUncommittedEntriesSize = -1; break;
            case "MaxCommittedSizePerReady=-1": c.MaxCommittedSizePerReady = -1; break;
            case "MaxInflightBytes<MaxSizePerMsg": c.MaxSizePerMsg = 1024; c.MaxInflightBytes = 1023; break;
            case "LeaseBased without CheckQuorum": c.ReadOnlyOption = ReadOnlyOption.LeaseBased; c.CheckQuorum = false; break;
            case "LeaseMarginTicks=-1": c.LeaseMarginTicks = -1; break;
            case "LeaseMarginTicks=ElectionTick": c.LeaseMarginTicks = 10; break;
            default: throw new ArgumentOutOfRangeException(nameof(setting));
        }

        return c;
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Validate_Refuses(string setting, string message)
    {
        var c = Invalid(setting);

        var ex = Assert.Throws<ArgumentException>(c.Validate);

        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void RawNode_RefusesAnInvalidConfig(string setting, string message)
    {
        var c = Invalid(setting);

        var ex = Assert.Throws<ArgumentException>(() => new RawNode(c));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Validate_AcceptsTheBoundaries()
    {
        Valid().Validate();
        new RaftConfig
        {
            Id = ulong.MaxValue,
            Storage = new MemoryStorage(),
            HeartbeatTick = 1,
            ElectionTick = 2,
            LeaseMarginTicks = 1,
            MaxInflightMsgs = 1,
            MaxSizePerMsg = 1,
            MaxInflightBytes = 1,
            ReadOnlyOption = ReadOnlyOption.LeaseBased,
            CheckQuorum = true,
        }.Validate();
        new RaftConfig { Id = 1, Storage = new MemoryStorage(), LeaseMarginTicks = 0, MaxInflightBytes = 0 }.Validate();
    }
}
