using MultiRaft.Raft;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Builds entries and logs from term lists, so a test states a log as "terms 1 1 2 3".</summary>
internal static class LogFixtures
{
    /// <summary>Entries at consecutive indexes from <paramref name="firstIndex"/> with the given terms and no payload.</summary>
    public static Entry[] Terms(ulong firstIndex, params ulong[] terms)
    {
        var a = new Entry[terms.Length];
        for (var i = 0; i < terms.Length; i++)
        {
            a[i] = new Entry(terms[i], firstIndex + (ulong)i, ReadOnlyMemory<byte>.Empty);
        }

        return a;
    }

    /// <summary><paramref name="count"/> entries of one term whose payloads are <paramref name="payload"/> bytes each.</summary>
    public static Entry[] Sized(ulong firstIndex, ulong term, int count, int payload)
    {
        var a = new Entry[count];
        for (var i = 0; i < count; i++)
        {
            a[i] = new Entry(term, firstIndex + (ulong)i, new byte[payload]);
        }

        return a;
    }

    /// <summary>A storage holding entries 1..n with the given terms (and the default membership 1,2,3).</summary>
    public static MemoryStorage Storage(params ulong[] terms)
    {
        var s = new MemoryStorage(new ConfState([1UL, 2, 3]));
        s.Append(Terms(1, terms));
        return s;
    }

    /// <summary>A log whose stable part has <paramref name="stable"/> terms and whose unstable part follows with <paramref name="unstable"/>.</summary>
    public static RaftLog Log(ulong[] stable, ulong[] unstable, long maxCommittedSizePerReady = 0)
    {
        var log = new RaftLog(Storage(stable), maxCommittedSizePerReady);
        log.Append(Terms((ulong)stable.Length + 1, unstable));
        return log;
    }

    /// <summary>The terms of entries [lo, hi) as the log reports them (0 where unknown).</summary>
    public static ulong[] TermsOf(RaftLog log, ulong lo, ulong hi)
    {
        var a = new ulong[hi - lo];
        for (var i = lo; i < hi; i++)
        {
            a[i - lo] = log.TermOrZero(i);
        }

        return a;
    }

    /// <summary>The indexes of <paramref name="entries"/>.</summary>
    public static ulong[] Indexes(IEnumerable<Entry> entries) => entries.Select(e => e.Index).ToArray();
}
