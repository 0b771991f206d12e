using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Storage's circular buffer: removal at the front, truncation at the back, growth while wrapped.</summary>
public class EntryRingTests
{
    private static ulong[] IndexesIn(EntryRing r) => Enumerable.Range(0, r.Count).Select(i => r[i].Index).ToArray();

    /// <summary>A ring of capacity 16 whose head sits at slot 12, holding 12..19 across the wrap.</summary>
    private static EntryRing Wrapped()
    {
        var r = new EntryRing(16);
        foreach (var e in Terms(0, new ulong[16]))
        {
            r.Add(e);
        }

        r.RemoveFirst(12);
        foreach (var e in Terms(16, 0, 0, 0, 0))
        {
            r.Add(e);
        }

        return r;
    }

    [Fact]
    public void RemoveFirstThenAdd_WrapsAround()
    {
        var r = Wrapped();

        Assert.Equal(new ulong[] { 12, 13, 14, 15, 16, 17, 18, 19 }, IndexesIn(r));
    }

    [Fact]
    public void Truncate_AcrossTheWrap()
    {
        var r = Wrapped();

        r.Truncate(3);
        r.Add(new Entry(9, 15, ReadOnlyMemory<byte>.Empty));

        Assert.Equal(new ulong[] { 12, 13, 14, 15 }, IndexesIn(r));
        Assert.Equal(9UL, r[3].Term);
    }

    [Fact]
    public void Grow_WhileWrappedKeepsTheOrder()
    {
        var r = Wrapped();

        foreach (var e in Terms(20, new ulong[30]))
        {
            r.Add(e);
        }

        Assert.Equal(Enumerable.Range(12, 38).Select(i => (ulong)i), IndexesIn(r));
    }

    [Fact]
    public void Clear_EmptiesAndTheRingIsReusable()
    {
        var r = Wrapped();

        r.Clear();
        r.Add(new Entry(1, 100, ReadOnlyMemory<byte>.Empty));

        Assert.Equal(new ulong[] { 100 }, IndexesIn(r));
    }

    [Fact]
    public void New_HoldsNoBufferUntilTheFirstEntry()
    {
        var r = new EntryRing();
        Assert.Equal(0, r.Capacity);
        r.RemoveFirst(0);
        r.Clear();

        foreach (var e in Terms(1, new ulong[5]))
        {
            r.Add(e);
        }

        Assert.Equal(8, r.Capacity);
        Assert.Equal(new ulong[] { 1, 2, 3, 4, 5 }, IndexesIn(r));
    }

    [Fact]
    public void TrimExcess_ShrinksAWrappedRingToFitInOrder()
    {
        var r = Wrapped();
        r.RemoveFirst(3);

        r.TrimExcess();

        Assert.Equal(8, r.Capacity);
        Assert.Equal(new ulong[] { 15, 16, 17, 18, 19 }, IndexesIn(r));
        r.Add(new Entry(0, 20, ReadOnlyMemory<byte>.Empty));
        r.RemoveFirst(1);
        Assert.Equal(new ulong[] { 16, 17, 18, 19, 20 }, IndexesIn(r));
    }

    [Fact]
    public void TrimExcess_ReleasesAnEmptyRing()
    {
        var r = Wrapped();
        r.RemoveFirst(r.Count);

        r.TrimExcess();

        Assert.Equal((0, 0), (r.Capacity, r.Count));
        r.Add(new Entry(1, 100, ReadOnlyMemory<byte>.Empty));
        Assert.Equal(new ulong[] { 100 }, IndexesIn(r));
    }
}
