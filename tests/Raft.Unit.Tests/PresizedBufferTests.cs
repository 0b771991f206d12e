using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>
/// Buffers that take a known number of entries at once are sized once, not doubled from four
/// entries: a restarted silo appends and applies 10,000 replicas' recovered logs this way.
/// </summary>
public class PresizedBufferTests
{
    [Fact]
    public void Ring_EnsureCapacity_TakesTheNextPowerOfTwo_AndKeepsTheEntries()
    {
        var r = new EntryRing();
        r.Add(Terms(1, 7)[0]);

        r.EnsureCapacity(30);

        Assert.Equal((32, 1), (r.Capacity, r.Count));
        Assert.Equal(7UL, r[0].Term);
        r.EnsureCapacity(20);
        Assert.Equal(32, r.Capacity);
    }

    [Fact]
    public void Storage_AppendingALog_SizesItsRingOnce()
    {
        var storage = new MemoryStorage();

        storage.Append(Terms(1, new ulong[30]));

        Assert.Equal(30, storage.EntryCount);
        Assert.Equal(32, storage.EntryCapacity);
    }

    [Fact]
    public void Slice_SizesTheListForTheRange_UpToTheBound()
    {
        var storage = new MemoryStorage();
        storage.Append(Terms(1, new ulong[3000]));
        var log = new RaftLog(storage, long.MaxValue);

        var small = new List<Entry>();
        log.Slice(1, 31, long.MaxValue, small);
        var large = new List<Entry>();
        log.Slice(1, 3001, long.MaxValue, large);

        Assert.Equal((30, 30), (small.Count, small.Capacity));
        Assert.Equal(3000, large.Count);
        Assert.Equal(1UL, large[0].Index);
        Assert.Equal(3000UL, large[^1].Index);
    }
}
