using System.Runtime;

namespace MultiRaft.Silo.Engine;

/// <summary>
/// Gives back the memory a busy spell left behind once the silo is quiet. Starting, or taking on,
/// thousands of replicas allocates large short-lived buffers (message batches, map copies,
/// snapshots); the large object heap is never compacted on its own, and an idle silo makes too
/// little garbage to run the full collections that would compact the rest. A 10,000-replica silo
/// measured 154 MB free inside a 358 MB heap (106 MB of it in the large object heap) a minute
/// after it became idle: resident memory that held nothing. Free space a compaction cannot take
/// back (between objects pinned for good: Orleans pins its 128 KB network buffers) is not counted
/// again: a 10,000-replica silo left 80 MB so, and compacted in vain once a minute, pausing 100-180 ms each time.
/// </summary>
internal sealed class IdleHeapCompaction(TimeProvider time)
{
    /// <summary>Less than this many entries persisted in a stats window (10 s) counts as quiet.</summary>
    public const long QuietEntries = 100;

    /// <summary>Fragmentation worth a blocking collection: both this many bytes and this share of the heap.</summary>
    public const long MinFragmentedBytes = 32L * 1024 * 1024;

    public const double MinFragmentedShare = 0.1;

    /// <summary>A silo whose load comes and goes compacts at most this often.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMinutes(1);

    private long _lastAt = long.MinValue;
    // The free bytes the last compaction left (could not take back).
    private long _leftByLast;

    /// <summary>
    /// Whether a quiet silo's heap is fragmented enough, beyond what the last compaction left
    /// (<paramref name="leftByLast"/>), and long enough after it, to compact now.
    /// </summary>
    public static bool Due(long entriesLastWindow, long fragmentedBytes, long heapBytes, TimeSpan sinceLast, long leftByLast = 0)
    {
        var reclaimable = fragmentedBytes - leftByLast;
        return entriesLastWindow < QuietEntries
               && reclaimable >= MinFragmentedBytes
               && reclaimable >= heapBytes * MinFragmentedShare
               && sinceLast >= MinInterval;
    }

    /// <summary>Compacts the whole heap (the large object heap included) if <see cref="Due"/>; returns what it did, or null.</summary>
    public (long FragmentedBytes, long HeapBefore, long HeapAfter, TimeSpan Took)? MaybeCompact(long entriesLastWindow)
    {
        var info = GC.GetGCMemoryInfo();
        var now = time.GetTimestamp();
        var sinceLast = _lastAt == long.MinValue ? TimeSpan.MaxValue : time.GetElapsedTime(_lastAt, now);
        // Less free than the last compaction left: some of it was taken back after all (pins released, space reused).
        _leftByLast = Math.Min(_leftByLast, info.FragmentedBytes);
        if (!Due(entriesLastWindow, info.FragmentedBytes, info.HeapSizeBytes, sinceLast, _leftByLast))
        {
            return null;
        }

        _lastAt = now;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;

        // Aggressive: compacting, blocking, and returning the freed regions to the OS at once.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var after = GC.GetGCMemoryInfo();
        _leftByLast = after.FragmentedBytes;
        return (info.FragmentedBytes, info.HeapSizeBytes, after.HeapSizeBytes, time.GetElapsedTime(now));
    }
}
