namespace MultiRaft.Storage.Postgres;

/// <summary>How the core's unsigned numbers are stored in PostgreSQL's signed bigint.</summary>
internal static class PostgresValues
{
    /// <summary>Ids are only compared for equality, so any ulong is stored bit for bit.</summary>
    public static long Id(ulong id) => unchecked((long)id);

    /// <summary>The inverse of <see cref="Id(ulong)"/>.</summary>
    public static ulong Id(long stored) => unchecked((ulong)stored);

    /// <summary>Ids of a membership list, stored bit for bit.</summary>
    public static long[] Ids(IReadOnlyList<ulong> ids)
    {
        var a = new long[ids.Count];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = Id(ids[i]);
        }

        return a;
    }

    /// <summary>The inverse of <see cref="Ids(IReadOnlyList{ulong})"/>.</summary>
    public static ulong[] Ids(long[] stored) => Array.ConvertAll(stored, Id);

    /// <summary>
    /// Indexes, terms and commits are ordered in SQL (tail deletion, compaction), so they must
    /// keep their order as bigint: values of 2^63 and above are refused at the caller.
    /// </summary>
    public static long Ordered(ulong value, string what) =>
        value <= long.MaxValue
            ? (long)value
            : throw new ArgumentOutOfRangeException(what, value, "PostgreSQL storage keeps indexes and terms below 2^63");
}
