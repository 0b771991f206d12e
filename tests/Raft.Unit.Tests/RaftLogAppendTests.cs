using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>A follower's side of appends: matching, conflicts, and the up-to-date rule (§5.3, §5.4.1).</summary>
public class RaftLogAppendTests
{
    // Log [1 2 3] at indexes 1..3, committed 1.
    public static TheoryData<ulong, ulong, ulong, ulong[], ulong?, ulong, ulong[]> MaybeAppendCases => new()
    {
        // Previous entry's term does not match: refused, nothing changes.
        { 3, 2, 3, [4], null, 1, [1, 2, 3] },
        // Previous index beyond our log: refused.
        { 4, 3, 3, [4], null, 1, [1, 2, 3] },
        // Heartbeat-like: nothing new, commit follows the leader.
        { 3, 3, 3, [], 3, 3, [1, 2, 3] },
        // Commit is clamped to the last new index, and the matching tail after it stays.
        { 2, 2, 3, [], 2, 2, [1, 2, 3] },
        // New entries are appended; commit is clamped to the last of them.
        { 3, 3, 10, [4, 4], 5, 5, [1, 2, 3, 4, 4] },
        // Entries we already hold: nothing is truncated even though the message is shorter than our log.
        { 1, 1, 0, [2], 2, 1, [1, 2, 3] },
        { 1, 1, 3, [2, 3], 3, 3, [1, 2, 3] },
        // Overlap then new.
        { 1, 1, 0, [2, 3, 4], 4, 1, [1, 2, 3, 4] },
        // A conflicting uncommitted tail is replaced and the log becomes shorter.
        { 1, 1, 2, [4], 2, 2, [1, 4] },
        // A conflict in the middle of the message.
        { 1, 1, 3, [2, 4, 4], 4, 3, [1, 2, 4, 4] },
    };

    [Theory]
    [MemberData(nameof(MaybeAppendCases))]
    public void MaybeAppend(ulong index, ulong logTerm, ulong committed, ulong[] entTerms,
        ulong? wantLastNew, ulong wantCommitted, ulong[] wantTerms)
    {
        var log = Log([1, 2, 3], []);
        log.CommitTo(1);

        var lastNew = log.MaybeAppend(index, logTerm, committed, Terms(index + 1, entTerms));

        Assert.Equal(wantLastNew, lastNew);
        Assert.Equal(wantCommitted, log.Committed);
        Assert.Equal((ulong)wantTerms.Length, log.LastIndex);
        Assert.Equal(wantTerms, TermsOf(log, 1, log.LastIndex + 1));
    }

    [Fact]
    public void MaybeAppend_RefusesToOverwriteACommittedEntry()
    {
        var log = Log([1, 2, 3], []);
        log.CommitTo(3);

        var ex = Assert.Throws<RaftInvariantException>(() => log.MaybeAppend(1, 1, 3, Terms(2, 4)));

        Assert.Contains("entry 2 conflicts with committed entry (committed 3)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new ulong[] { 1, 2, 3 }, TermsOf(log, 1, 4));
        Assert.Equal(3UL, log.Committed);
    }

    [Fact]
    public void MaybeAppend_ReplacesAnUnstableTailPartly()
    {
        // Stable [1 1], unstable [2 2 2] at 3..5: a new leader's entries from 4 replace 4..5 only.
        var log = Log([1, 1], [2, 2, 2]);

        var lastNew = log.MaybeAppend(3, 2, 0, Terms(4, 3));

        Assert.Equal(4UL, lastNew);
        Assert.Equal(new ulong[] { 1, 1, 2, 3 }, TermsOf(log, 1, log.LastIndex + 1));
        Assert.Equal(3UL, log.Unstable.Offset);
        Assert.Equal(2, log.Unstable.Count);
    }

    [Fact]
    public void MaybeAppend_ReplacingStableEntriesMovesTheUnstableOffsetBack()
    {
        var log = Log([1, 1, 1], []);

        log.MaybeAppend(1, 1, 0, Terms(2, 2));

        // Entry 2 replaces a stable one; storage still holds the old 2..3 until the Ready is persisted.
        Assert.Equal(2UL, log.Unstable.Offset);
        Assert.Equal(2UL, log.LastIndex);
        Assert.Equal(new ulong[] { 1, 2 }, TermsOf(log, 1, 3));
        Assert.False(log.TryTerm(3, out _));
    }

    // Log [1 2 3] at indexes 1..3.
    public static TheoryData<ulong, ulong[], ulong> FindConflictCases => new()
    {
        { 1, [], 0 },
        { 1, [1, 2, 3], 0 },
        { 2, [2, 3], 0 },
        { 3, [3], 0 },
        { 1, [1, 2, 3, 4, 4], 4 },
        { 3, [3, 4, 4], 4 },
        { 4, [4], 4 },
        { 1, [4, 4], 1 },
        { 2, [1, 4, 4], 2 },
        { 3, [1, 2, 4], 3 },
    };

    [Theory]
    [MemberData(nameof(FindConflictCases))]
    public void FindConflict(ulong first, ulong[] terms, ulong want)
    {
        var log = Log([1, 2, 3], []);

        Assert.Equal(want, log.FindConflict(Terms(first, terms)));
    }

    // Compacted through index 2 (term 1); entries 3..8 have terms 2 2 2 5 5 6.
    public static TheoryData<ulong, ulong, ulong, ulong> FindConflictByTermCases => new()
    {
        { 8, 6, 8, 6 },
        { 8, 7, 8, 6 },
        { 8, 5, 7, 5 },
        { 8, 4, 5, 2 },
        { 8, 3, 5, 2 },
        { 7, 2, 5, 2 },
        { 5, 5, 5, 2 },
        { 4, 2, 4, 2 },
        // The compaction boundary's term is still known.
        { 8, 1, 2, 1 },
        // Below the boundary the term is unknown: the search stops there with term 0.
        { 8, 0, 1, 0 },
        // Beyond the log: nothing is known.
        { 10, 6, 10, 0 },
        { 0, 0, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(FindConflictByTermCases))]
    public void FindConflictByTerm(ulong index, ulong term, ulong wantIndex, ulong wantTerm)
    {
        var storage = Storage(1, 1, 2, 2, 2, 5, 5, 6);
        storage.Compact(2);
        var log = new RaftLog(storage, 0);

        Assert.Equal((wantIndex, wantTerm), log.FindConflictByTerm(index, term));
    }

    // Our last entry is 3 at term 3.
    public static TheoryData<ulong, ulong, bool> UpToDateCases => new()
    {
        // A higher last term wins even with a shorter log.
        { 2, 4, true },
        { 3, 4, true },
        { 4, 4, true },
        // A lower last term loses even with a longer log.
        { 2, 2, false },
        { 3, 2, false },
        { 4, 2, false },
        // Same term: the longer (or equal) log wins.
        { 2, 3, false },
        { 3, 3, true },
        { 4, 3, true },
    };

    [Theory]
    [MemberData(nameof(UpToDateCases))]
    public void IsUpToDate(ulong lastIndex, ulong term, bool want)
    {
        var log = Log([1, 2], [3]);

        Assert.Equal(want, log.IsUpToDate(lastIndex, term));
    }
}
