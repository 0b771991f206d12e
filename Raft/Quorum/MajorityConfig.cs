namespace MultiRaft.Raft;

/// <summary>The outcome of an election so far.</summary>
public enum VoteResult : byte
{
    /// <summary>Neither won nor lost yet.</summary>
    Pending,

    /// <summary>A quorum refused.</summary>
    Lost,

    /// <summary>A quorum granted.</summary>
    Won,
}

/// <summary>Reads one acknowledged index per member (Match, or a heartbeat round).</summary>
internal interface IAckedIndexer
{
    /// <summary>False when the member has no entry (treated as 0).</summary>
    bool TryAcked(ulong id, out ulong index);
}

/// <summary>A set of voters decided by simple majority. Ids are sorted and distinct.</summary>
internal sealed class MajorityConfig
{
    public static readonly MajorityConfig Empty = new([]);

    public MajorityConfig(IEnumerable<ulong> ids)
    {
        var a = ids.Distinct().ToArray();
        Array.Sort(a);
        Ids = a;
    }

    public ulong[] Ids { get; }

    public int Count => Ids.Length;

    public bool Contains(ulong id) => Array.BinarySearch(Ids, id) >= 0;

    /// <summary>
    /// The largest index acknowledged by a majority. An empty configuration commits everything
    /// (so that it never holds back the other half of a joint configuration).
    /// </summary>
    public ulong CommittedIndex<T>(T acked)
        where T : IAckedIndexer
    {
        var n = Ids.Length;
        if (n == 0)
        {
            return ulong.MaxValue;
        }

        Span<ulong> srt = n <= 16 ? stackalloc ulong[n] : new ulong[n];
        for (var i = 0; i < n; i++)
        {
            srt[i] = acked.TryAcked(Ids[i], out var idx) ? idx : 0;
        }

        srt.Sort();

        // Sorted ascending, the (n/2)-th from the top is held by a majority.
        return srt[n - ((n / 2) + 1)];
    }

    public VoteResult Vote(IReadOnlyDictionary<ulong, bool> votes)
    {
        if (Ids.Length == 0)
        {
            return VoteResult.Won;
        }

        int granted = 0, missing = 0;
        foreach (var id in Ids)
        {
            if (!votes.TryGetValue(id, out var v))
            {
                missing++;
            }
            else if (v)
            {
                granted++;
            }
        }

        var q = (Ids.Length / 2) + 1;
        if (granted >= q)
        {
            return VoteResult.Won;
        }

        return granted + missing >= q ? VoteResult.Pending : VoteResult.Lost;
    }

    public override string ToString() => $"({string.Join(' ', Ids)})";
}
