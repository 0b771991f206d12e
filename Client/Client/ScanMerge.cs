using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client;

/// <summary>Merges shards' scan answers into one list in key order (bytes compared unsigned).</summary>
internal static class ScanMerge
{
    public static IReadOnlyList<KvEntry> Merge(IEnumerable<IEnumerable<KvPair>> parts, int limit)
    {
        // Each shard returned at most limit keys after the cursor, so the first limit keys of the
        // union are the first limit keys overall.
        var all = parts.SelectMany(p => p).ToList();
        all.Sort(static (a, b) => a.Key.Span.SequenceCompareTo(b.Key.Span));
        return [.. all.Take(limit).Select(p => new KvEntry(p.Key.Memory, p.Value.Memory, p.Version))];
    }
}
