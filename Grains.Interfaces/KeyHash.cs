namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// The hash that places a key in a shard: shards own ranges of it. FNV-1a over the bytes with
/// MurmurHash3's 64-bit finaliser, so that keys differing only in their last characters (the
/// usual <c>key00000001</c> shapes) spread over the whole range. Part of the on-disk and wire
/// contract: changing it moves every key.
/// </summary>
public static class KeyHash
{
    /// <summary>The size of the hash space: shard ranges lie in [0, <see cref="SpaceEnd"/>).</summary>
    public const ulong SpaceEnd = 1UL << 32;

    /// <summary>The key's position in [0, 2^32).</summary>
    public static ulong Of(ReadOnlySpan<byte> key)
    {
        var h = 14695981039346656037UL;
        foreach (var b in key)
        {
            h = unchecked((h ^ b) * 1099511628211UL);
        }

        h ^= h >> 33;
        h = unchecked(h * 0xff51afd7ed558ccdUL);
        h ^= h >> 33;
        h = unchecked(h * 0xc4ceb9fe1a85ec53UL);
        h ^= h >> 33;
        return h >> 32;
    }

    /// <summary>
    /// Splits the hash space into <paramref name="count"/> contiguous ranges as equal as integer
    /// division allows: range i is [starts[i], starts[i+1]), the last ends at <see cref="SpaceEnd"/>.
    /// </summary>
    public static ulong[] EvenSplitStarts(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var starts = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            starts[i] = (ulong)((UInt128)SpaceEnd * (ulong)i / (ulong)count);
        }

        return starts;
    }
}
