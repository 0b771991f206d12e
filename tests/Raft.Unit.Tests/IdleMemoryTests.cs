using MultiRaft.Raft;
using MultiRaft.Tests.Support;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>
/// What an idle member costs: a silo hosts thousands, so the buffers a busy leader needs must not
/// be paid for by every member up front. Allocation is counted per thread, which is exact and
/// repeatable, over many members so that the per-member figure is not one lucky case.
/// </summary>
public class IdleMemoryTests(ITestOutputHelper output)
{
    private const int Members = 1_000;

    // Measured 2,520 bytes with the default election jitter and no vote dictionary kept (2,888
    // with a delegate per role in fields and an empty vote dictionary, and a seeded Random's 300
    // bytes besides; 34,904 when every member allocated a busy leader's buffers: inflight windows
    // of 256 slots, a 256-entry scratch list, a 64-entry unstable log, 64-entry Ready lists);
    // about 15% headroom.
    private const long RawNodeBound = 2_900;

    // Measured 168 bytes (832 with a 16-entry ring allocated up front).
    private const long StorageBound = 200;

    private static readonly ConfState Voters = new([1UL, 2, 3]);

    [Fact]
    public void IdleFollower_AllocatesUnderItsBound()
    {
        var configs = Enumerable.Range(0, Members)
            .Select(_ => new RaftConfig { Id = 2, Storage = new MemoryStorage(Voters) })
            .ToArray();

        var bytes = AllocationMeter.BytesEach(Members, i => new RawNode(configs[i]));

        output.WriteLine($"bytes per idle RawNode (3 voters, storage and config excluded): {bytes}");
        Assert.InRange(bytes, 1, RawNodeBound);
    }

    [Fact]
    public void BootstrappedStorage_AllocatesUnderItsBound()
    {
        var bytes = AllocationMeter.BytesEach(Members, _ => MemoryStorage.Bootstrapped(Voters));

        output.WriteLine($"bytes per bootstrapped MemoryStorage (3 voters): {bytes}");
        Assert.InRange(bytes, 1, StorageBound);
    }
}
