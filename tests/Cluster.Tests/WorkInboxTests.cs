using MultiRaft.Silo.Engine;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// The engine worker's inbox (<see cref="WorkInbox"/>): items come out in the order they went in,
/// from any number of posting threads, none lost or repeated; and the room a burst made is given
/// back once the worker has emptied it.
/// </summary>
public sealed class WorkInboxTests
{
    private static WorkItem Item(ulong n) => new(null, WorkKind.Kick, Peer: n);

    [Fact]
    public void Items_come_out_in_order_across_batches()
    {
        var inbox = new WorkInbox();
        Assert.True(inbox.IsEmpty);
        for (ulong i = 0; i < 5; i++)
        {
            inbox.Enqueue(Item(i));
        }

        Assert.True(inbox.TryDequeue(out var first));
        // Posted while the worker takes from the first batch: they wait for the next one.
        inbox.Enqueue(Item(5));
        inbox.Enqueue(Item(6));
        var seen = new List<ulong> { first.Peer };
        while (inbox.TryDequeue(out var item))
        {
            seen.Add(item.Peer);
        }

        Assert.Equal([0UL, 1, 2, 3, 4, 5, 6], seen);
        Assert.True(inbox.IsEmpty);
        Assert.False(inbox.TryDequeue(out _));
    }

    [Fact]
    public void A_burst_gives_its_room_back_once_taken()
    {
        var inbox = new WorkInbox();
        for (ulong i = 0; i < 100_000; i++)
        {
            inbox.Enqueue(Item(i));
        }

        Assert.True(inbox.Capacity >= 100_000);
        var taken = 0;
        while (inbox.TryDequeue(out _))
        {
            taken++;
        }

        Assert.Equal(100_000, taken);
        Assert.True(inbox.Capacity <= 2 * WorkInbox.KeptCapacity, $"the inbox kept room for {inbox.Capacity} items");
    }

    [Fact]
    public void Four_posting_threads_lose_and_repeat_nothing()
    {
        const int perThread = 50_000;
        var inbox = new WorkInbox();
        using var start = new Barrier(5);
        var posters = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                inbox.Enqueue(Item(((ulong)(uint)t << 32) | (uint)i));
            }
        })).ToList();
        posters.ForEach(p => p.Start());

        start.SignalAndWait();
        var next = new int[4];
        var taken = 0;
        while (taken < 4 * perThread)
        {
            if (!inbox.TryDequeue(out var item))
            {
                Thread.Yield();
                continue;
            }

            // Each thread's items in the order it posted them.
            var t = (int)(item.Peer >> 32);
            Assert.Equal((ulong)next[t]++, item.Peer & 0xFFFF_FFFF);
            taken++;
        }

        posters.ForEach(p => p.Join());
        Assert.All(next, n => Assert.Equal(perThread, n));
        Assert.True(inbox.IsEmpty);
    }
}
