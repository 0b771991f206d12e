using MultiRaft.Storage.FileWal;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// The group commit's record buffer grows for a burst and gives the room back once batches have
/// been small for a second, so an idle silo does not keep a burst's megabytes (issue 15).
/// </summary>
public sealed class PendingBufferTests
{
    [Fact]
    public void A_burst_grows_the_buffer_and_its_bytes_stay_in_order()
    {
        var buffer = new PendingBuffer();
        for (var i = 0; i < 300; i++)
        {
            buffer.Reserve(10_000).Fill((byte)i);
        }

        Assert.Equal(3_000_000, buffer.Length);
        Assert.True(buffer.Capacity >= 3_000_000);
        Assert.Equal(17, buffer.Written[170_000]);
        Assert.Equal(43, buffer.Written[2_999_999]);
    }

    [Fact]
    public void A_small_batch_a_second_after_the_last_large_one_gives_the_room_back()
    {
        var buffer = new PendingBuffer();
        buffer.Reserve(3_000_000);
        buffer.Clear(nowMs: 0);
        var grown = buffer.Capacity;
        Assert.True(grown >= 3_000_000);

        // Emptied after a batch as large as the burst: kept, the next burst will need it.
        buffer.Reserve(3_000_000);
        buffer.Clear(nowMs: 10);
        Assert.Equal(grown, buffer.Capacity);

        // Small, but within a second of the last large batch: kept.
        buffer.Reserve(1_000);
        buffer.Clear(nowMs: 1_009);
        Assert.Equal(grown, buffer.Capacity);

        buffer.Reserve(1_000);
        buffer.Clear(nowMs: 1_010);
        Assert.Equal(64 * 1024, buffer.Capacity);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Large_and_small_batches_in_turn_keep_the_room()
    {
        var buffer = new PendingBuffer();
        buffer.Reserve(2_000_000);
        buffer.Clear(nowMs: 0);
        var grown = buffer.Capacity;

        for (var now = 100; now < 10_000; now += 100)
        {
            buffer.Reserve(now % 500 == 0 ? 1_000_000 : 1_000);
            buffer.Clear(now);
            Assert.Equal(grown, buffer.Capacity);
        }
    }

    [Fact]
    public void A_buffer_never_grown_past_a_mebibyte_is_kept()
    {
        var buffer = new PendingBuffer();
        buffer.Reserve(900_000);
        buffer.Clear(nowMs: 0);
        var capacity = buffer.Capacity;
        buffer.Reserve(10);
        buffer.Clear(nowMs: 60_000);
        Assert.Equal(capacity, buffer.Capacity);
    }
}
