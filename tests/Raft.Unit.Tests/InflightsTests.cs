using MultiRaft.Raft;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>The per-follower window of unacknowledged appends, bounded by count and by bytes.</summary>
public class InflightsTests
{
    [Fact]
    public void Full_WhenTheCountReachesTheCapacity()
    {
        var f = new Inflights(3, 0);
        f.Add(1, 10);
        f.Add(2, 10);
        Assert.False(f.Full);

        f.Add(3, 10);

        Assert.True(f.Full);
        var ex = Assert.Throws<RaftInvariantException>(() => f.Add(4, 10));
        Assert.Equal("inflight window overflow", ex.Message);
        Assert.Equal(3, f.Count);
        Assert.Equal(30L, f.Bytes);
    }

    [Fact]
    public void Full_WhenTheBytesReachTheCap()
    {
        var f = new Inflights(10, 100);
        f.Add(1, 40);
        f.Add(2, 50);
        Assert.False(f.Full);

        f.Add(3, 10);

        Assert.Equal(100L, f.Bytes);
        Assert.True(f.Full);

        f.FreeLE(1);

        Assert.Equal(60L, f.Bytes);
        Assert.False(f.Full);
    }

    [Fact]
    public void Full_ForOneMessageLargerThanTheCap()
    {
        var f = new Inflights(10, 100);

        f.Add(1, 500);

        Assert.True(f.Full);
        Assert.Equal(1, f.Count);
    }

    [Fact]
    public void NoByteCap_WhenMaxBytesIsZero()
    {
        var f = new Inflights(2, 0);

        f.Add(1, long.MaxValue / 2);

        Assert.False(f.Full);
    }

    [Fact]
    public void FreeLE_FreesEveryMessageAtOrBelowTheIndex()
    {
        var f = new Inflights(10, 0);
        foreach (var i in new ulong[] { 2, 4, 6, 8 })
        {
            f.Add(i, (long)i);
        }

        f.FreeLE(1);
        Assert.Equal((4, 20L), (f.Count, f.Bytes));

        f.FreeLE(5);
        Assert.Equal((2, 14L), (f.Count, f.Bytes));

        f.FreeLE(6);
        Assert.Equal((1, 8L), (f.Count, f.Bytes));

        // Stale acknowledgements free nothing.
        f.FreeLE(3);
        Assert.Equal((1, 8L), (f.Count, f.Bytes));

        f.FreeLE(100);
        Assert.Equal((0, 0L), (f.Count, f.Bytes));
    }

    [Fact]
    public void FreeFirst_FreesOnlyTheOldest()
    {
        var f = new Inflights(10, 0);
        f.Add(2, 1);
        f.Add(4, 2);
        f.Add(6, 4);

        f.FreeFirst();

        Assert.Equal((2, 6L), (f.Count, f.Bytes));

        f.FreeFirst();
        f.FreeFirst();
        f.FreeFirst();

        Assert.Equal((0, 0L), (f.Count, f.Bytes));
    }

    [Fact]
    public void Ring_WrapsAround()
    {
        var f = new Inflights(4, 0);
        for (ulong i = 1; i <= 4; i++)
        {
            f.Add(i, (long)i);
        }

        f.FreeLE(2);
        // Slots 0 and 1 are reused for 5 and 6.
        f.Add(5, 5);
        f.Add(6, 6);
        Assert.True(f.Full);
        Assert.Equal(18L, f.Bytes);

        f.FreeLE(4);
        Assert.Equal((2, 11L), (f.Count, f.Bytes));

        f.FreeLE(5);
        f.Add(7, 7);
        f.Add(8, 8);
        f.Add(9, 9);
        Assert.True(f.Full);
        Assert.Equal(30L, f.Bytes);

        // Freed in order across the wrap: 6 and 7 go, 8 and 9 stay.
        f.FreeLE(7);
        Assert.Equal((2, 17L), (f.Count, f.Bytes));

        f.FreeFirst();
        Assert.Equal((1, 9L), (f.Count, f.Bytes));

        f.FreeLE(9);
        Assert.Equal((0, 0L), (f.Count, f.Bytes));
    }

    [Fact]
    public void CopyFrom_CopiesAWrappedWindowInOrderAndIndependently()
    {
        var src = new Inflights(4, 1000);
        for (ulong i = 1; i <= 4; i++)
        {
            src.Add(i, 10);
        }

        src.FreeLE(3);
        src.Add(5, 20);
        src.Add(6, 30);

        var copy = new Inflights(4, 1000);
        copy.Add(99, 1);
        copy.CopyFrom(src);

        Assert.Equal((3, 60L), (copy.Count, copy.Bytes));
        copy.FreeLE(5);
        Assert.Equal((1, 30L), (copy.Count, copy.Bytes));
        // The source is untouched.
        Assert.Equal((3, 60L), (src.Count, src.Bytes));
        src.FreeFirst();
        Assert.Equal((2, 50L), (src.Count, src.Bytes));
    }

    [Fact]
    public void Reset_EmptiesTheWindow()
    {
        var f = new Inflights(2, 0);
        f.Add(1, 5);
        f.Add(2, 5);

        f.Reset();

        Assert.Equal((0, 0L), (f.Count, f.Bytes));
        Assert.False(f.Full);
        f.Add(3, 1);
        f.FreeLE(3);
        Assert.Equal(0, f.Count);
    }

    [Fact]
    public void Ring_StartsEmptyAndDoublesUpToTheLimit()
    {
        var f = new Inflights(10, 0);
        Assert.Equal(0, f.Capacity);

        var capacities = new List<int>();
        for (ulong i = 1; i <= 10; i++)
        {
            f.Add(i, 1);
            capacities.Add(f.Capacity);
        }

        Assert.Equal([4, 4, 4, 4, 8, 8, 8, 8, 10, 10], capacities);
        Assert.True(f.Full);
    }

    [Fact]
    public void Growth_KeepsAWrappedWindowInOrder()
    {
        var f = new Inflights(16, 0);
        for (ulong i = 1; i <= 4; i++)
        {
            f.Add(i, (long)i);
        }

        // The head moves to slot 3 and 5..7 wrap to slots 0..2; 8 makes the ring grow.
        f.FreeLE(3);
        f.Add(5, 5);
        f.Add(6, 6);
        f.Add(7, 7);
        f.Add(8, 8);

        Assert.Equal(8, f.Capacity);
        Assert.Equal((5, 30L), (f.Count, f.Bytes));
        f.FreeLE(5);
        Assert.Equal((3, 21L), (f.Count, f.Bytes));
        f.FreeFirst();
        Assert.Equal((2, 15L), (f.Count, f.Bytes));
    }

    [Fact]
    public void TrimExcess_ReleasesOnlyAnEmptyWindow()
    {
        var f = new Inflights(10, 0);
        f.Add(1, 1);
        f.Add(2, 1);

        f.TrimExcess();
        Assert.Equal((4, 2), (f.Capacity, f.Count));

        f.FreeLE(2);
        f.TrimExcess();
        Assert.Equal((0, 0), (f.Capacity, f.Count));

        // It grows again on demand.
        f.Add(3, 1);
        Assert.Equal((4, 1), (f.Capacity, f.Count));
    }

    [Fact]
    public void Reset_KeepsTheSlots()
    {
        var f = new Inflights(10, 0);
        for (ulong i = 1; i <= 5; i++)
        {
            f.Add(i, 1);
        }

        f.Reset();

        Assert.Equal((8, 0), (f.Capacity, f.Count));
    }
}
