namespace MultiRaft.Raft;

/// <summary>
/// A list to gather a range of entries in before they are copied out: an append message's
/// entries before the array the message owns, a replica's live entries before storage rewrites
/// them (relocation). One per thread rather than one per log: a silo hosts thousands of logs,
/// each driven by one thread at a time, and only the busy ones read ranges.
/// </summary>
public static class SliceScratch
{
    // A list grown larger than this by one big catch-up is dropped after use rather than kept on
    // the thread for good.
    private const int KeptCapacity = 1024;

    [ThreadStatic]
    private static List<Entry>? s_list;

    /// <summary>Takes the thread's empty list; a nested take while it is out gets a new one.</summary>
    public static List<Entry> Take()
    {
        var list = s_list ?? [];
        s_list = null;
        return list;
    }

    /// <summary>Gives the list back for the thread's next <see cref="Take"/>.</summary>
    public static void Return(List<Entry> list)
    {
        list.Clear();
        if (list.Capacity <= KeptCapacity)
        {
            s_list = list;
        }
    }
}
