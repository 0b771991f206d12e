namespace MultiRaft.Raft;

/// <summary>
/// When a reused buffer is too big for what it holds. A burst (a member catching up tens of
/// thousands of entries, the router's log while a cluster of 10,000 shards is created) doubles a
/// buffer to its size, and a buffer only ever cleared keeps that size for good: 13 MB of one silo's
/// heap after such a start, in the router's ring, unstable log and Ready lists, on a group that is
/// never idle long enough to be trimmed. Shrinking only once a buffer holds a quarter of its room
/// or less, and only large ones, keeps the regrowth of a busy member's usual batch amortized.
/// </summary>
internal static class Oversized
{
    /// <summary>Buffers with fewer slots than this are left as they are (a busy member's usual batch fits).</summary>
    public const int MinSlots = 1_024;

    /// <summary>Whether a buffer of <paramref name="capacity"/> slots holding <paramref name="count"/> should shrink.</summary>
    public static bool Is(int capacity, int count) => capacity >= MinSlots && count <= capacity / 4;

    /// <summary>Clears <paramref name="list"/>, giving its room back if its last use filled no more than a quarter of it.</summary>
    public static void Clear<T>(List<T> list)
    {
        var shrink = Is(list.Capacity, list.Count);
        list.Clear();
        if (shrink)
        {
            list.Capacity = 0;
        }
    }
}
