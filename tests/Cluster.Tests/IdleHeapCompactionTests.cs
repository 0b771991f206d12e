using MultiRaft.Silo.Engine;

namespace MultiRaft.Cluster.Tests;

public class IdleHeapCompactionTests
{
    private const long MiB = 1024 * 1024;
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);

    [Fact]
    public void AQuietSiloWithAFragmentedHeapCompacts() =>
        Assert.True(IdleHeapCompaction.Due(entriesLastWindow: 0, fragmentedBytes: 136 * MiB, heapBytes: 319 * MiB, sinceLast: TimeSpan.MaxValue));

    [Theory]
    [InlineData(IdleHeapCompaction.QuietEntries, 136, 319)] // busy: the collector keeps up by itself
    [InlineData(0, 31, 100)] // too few bytes to be worth a pause, however large a share
    [InlineData(0, 35, 360)] // a large heap with under a tenth of it free
    public void NotWhenBusyOrLittleIsFree(long entries, long fragmentedMiB, long heapMiB) =>
        Assert.False(IdleHeapCompaction.Due(entries, fragmentedMiB * MiB, heapMiB * MiB, Long));

    [Fact]
    public void NotAgainForFreeSpaceTheLastCompactionCouldNotTakeBack()
    {
        // Measured: 80 MiB free between pinned buffers, compacted every minute from 236 MiB to 235.
        Assert.False(IdleHeapCompaction.Due(0, 80 * MiB, 236 * MiB, Long, leftByLast: 80 * MiB));
        Assert.False(IdleHeapCompaction.Due(0, (80 + 31) * MiB, 236 * MiB, Long, leftByLast: 80 * MiB));
        // What appeared since counts as any fragmentation would.
        Assert.True(IdleHeapCompaction.Due(0, (80 + 32) * MiB, 320 * MiB, Long, leftByLast: 80 * MiB));
        Assert.False(IdleHeapCompaction.Due(0, (80 + 32) * MiB, 321 * MiB, Long, leftByLast: 80 * MiB));
    }

    [Fact]
    public void AtTheThresholdsExactly()
    {
        Assert.True(IdleHeapCompaction.Due(IdleHeapCompaction.QuietEntries - 1, 32 * MiB, 320 * MiB, IdleHeapCompaction.MinInterval));
        Assert.False(IdleHeapCompaction.Due(0, 32 * MiB, 320 * MiB, IdleHeapCompaction.MinInterval - TimeSpan.FromTicks(1)));
    }
}
