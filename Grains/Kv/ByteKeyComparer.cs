namespace MultiRaft.Grains.Kv;

/// <summary>
/// Ordinal (unsigned byte-wise, shorter prefix first) order and equality of keys. One distinguished
/// instance, <see cref="PositiveInfinity"/>, sorts after every key so range views can be open above.
/// </summary>
internal sealed class ByteKeyComparer : IComparer<byte[]>, IEqualityComparer<byte[]>
{
    public static readonly ByteKeyComparer Instance = new();

    public static readonly byte[] PositiveInfinity = new byte[1];

    public int Compare(byte[]? x, byte[]? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (ReferenceEquals(x, PositiveInfinity))
        {
            return 1;
        }

        return ReferenceEquals(y, PositiveInfinity) ? -1 : x.AsSpan().SequenceCompareTo(y);
    }

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var h = default(HashCode);
        h.AddBytes(obj);
        return h.ToHashCode();
    }

    /// <summary>The smallest key greater than every key starting with <paramref name="prefix"/>, or <see cref="PositiveInfinity"/>.</summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        var i = prefix.LastIndexOfAnyExcept((byte)0xFF);
        if (i < 0)
        {
            return PositiveInfinity;
        }

        var end = prefix[..(i + 1)].ToArray();
        end[i]++;
        return end;
    }
}
