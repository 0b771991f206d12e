using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>
/// Reused buffers give back the room a burst grew once they hold a quarter of it or less, and
/// only when they are large (1,024 slots or more): a small buffer keeps its room for the next batch.
/// </summary>
public class OversizedBufferTests
{
    private static EntryRing Ring(int entries)
    {
        var r = new EntryRing();
        foreach (var e in Terms(1, new ulong[entries]))
        {
            r.Add(e);
        }

        return r;
    }

    [Fact]
    public void Ring_ShrinksToFitWhenCompactionLeavesAQuarter()
    {
        var r = Ring(4096);

        r.RemoveFirst(4096 - 1024);

        Assert.Equal((1024, 1024), (r.Capacity, r.Count));
        Assert.Equal(3073UL, r[0].Index);
        Assert.Equal(4096UL, r[1023].Index);
    }

    [Fact]
    public void Ring_KeepsItsRoomWhileItHoldsMoreThanAQuarter()
    {
        var r = Ring(4096);

        r.RemoveFirst(4096 - 1025);

        Assert.Equal((4096, 1025), (r.Capacity, r.Count));
    }

    [Fact]
    public void Ring_UnderTheMinimumIsLeftAsItIs()
    {
        var r = Ring(512);

        r.RemoveFirst(511);

        Assert.Equal((512, 1), (r.Capacity, r.Count));
    }

    [Fact]
    public void Ring_ShrunkThenRefilledGrowsAgain()
    {
        var r = Ring(2048);
        r.RemoveFirst(2048 - 10);
        foreach (var e in Terms(2049, new ulong[100]))
        {
            r.Add(e);
        }

        Assert.Equal((128, 110), (r.Capacity, r.Count));
        Assert.Equal(2039UL, r[0].Index);
        Assert.Equal(2148UL, r[109].Index);
    }

    [Fact]
    public void UnstableLog_ReleasesABurstsBufferOnceStable()
    {
        var u = new UnstableLog(1);
        u.TruncateAndAppend(Terms(1, new ulong[2048]));

        u.StableTo(2048, 0);

        Assert.Equal((0, 0), (u.Capacity, u.Count));
        Assert.Equal(2049UL, u.Offset);
    }

    [Fact]
    public void UnstableLog_KeepsTwiceWhatIsLeftWhenAQuarterOrLessStaysUnstable()
    {
        var u = new UnstableLog(1);
        u.TruncateAndAppend(Terms(1, new ulong[2048]));

        u.StableTo(2048 - 100, 0);

        Assert.Equal((200, 100), (u.Capacity, u.Count));
        Assert.Equal(1949UL, u.Entries[0].Index);
        Assert.Equal(2048UL, u.Entries[99].Index);
    }

    [Fact]
    public void UnstableLog_KeepsItsRoomWhileMoreThanAQuarterIsUnstable()
    {
        var u = new UnstableLog(1);
        u.TruncateAndAppend(Terms(1, new ulong[2048]));

        u.StableTo(2048 - 513, 0);

        Assert.Equal(513, u.Count);
        Assert.True(u.Capacity >= 2048, $"capacity {u.Capacity}");
    }

    [Fact]
    public void ReadyLists_GiveBackABurstsRoomAtTheNextClear()
    {
        var rd = new Ready();
        rd.CommittedList.AddRange(Terms(1, new ulong[2000]));
        rd.Clear(); // the burst's own Ready filled its room: kept for a next one like it
        var burst = rd.CommittedList.Capacity;
        rd.CommittedList.Add(Terms(2001, 0)[0]);

        rd.Clear(); // a small Ready after it: the room goes

        Assert.Equal(2000, burst);
        Assert.Equal(0, rd.CommittedList.Capacity);
    }

    [Fact]
    public void ReadyLists_UnderTheMinimumKeepTheirRoom()
    {
        var rd = new Ready();
        rd.EntriesList.AddRange(Terms(1, new ulong[600]));
        rd.Clear();
        rd.EntriesList.Add(Terms(601, 0)[0]);

        rd.Clear();

        Assert.Equal(600, rd.EntriesList.Capacity);
    }
}
