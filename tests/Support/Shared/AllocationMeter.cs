namespace MultiRaft.Tests.Support;

/// <summary>
/// Bytes allocated per object built, counted on the current thread: exact and repeatable, so a
/// test can hold a memory budget to a tight bound. Linked into each test project that needs it.
/// </summary>
internal static class AllocationMeter
{
    /// <summary>
    /// Bytes allocated per call of <paramref name="create"/> (what it keeps plus its garbage),
    /// averaged over <paramref name="count"/> calls after one call to warm up.
    /// </summary>
    /// <param name="count">How many objects to build.</param>
    /// <param name="create">Builds the object for an index in [0, count).</param>
    public static long BytesEach<T>(int count, Func<int, T> create)
    {
        GC.KeepAlive(create(0));
        var keep = new T[count];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            keep[i] = create(i);
        }

        var after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(keep);
        return (after - before) / count;
    }
}
