using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>The in-memory reference storage: appends, compaction and snapshots.</summary>
public class MemoryStorageTests
{
    private static readonly ConfState Voters = new([1UL, 2, 3]);

    private static ulong[] TermsHeld(MemoryStorage s)
    {
        var into = new List<Entry>();
        s.GetEntries(s.FirstIndex, s.LastIndex + 1, long.MaxValue, into);
        for (var i = 0; i < into.Count; i++)
        {
            // Entries are contiguous from FirstIndex.
            Assert.Equal(s.FirstIndex + (ulong)i, into[i].Index);
        }

        return into.Select(e => e.Term).ToArray();
    }

    [Fact]
    public void New_IsEmptyWithTheGivenMembership()
    {
        var s = new MemoryStorage(Voters);

        Assert.Equal(1UL, s.FirstIndex);
        Assert.Equal(0UL, s.LastIndex);
        Assert.True(s.TryGetTerm(0, out var t0));
        Assert.Equal(0UL, t0);
        Assert.False(s.TryGetTerm(1, out _));
        Assert.Equal((HardState.Empty, Voters), s.InitialState());
        Assert.True(s.GetSnapshot()!.IsEmpty);
    }

    [Fact]
    public void Bootstrapped_HoldsTheInitialSnapshotAndHardState()
    {
        var s = MemoryStorage.Bootstrapped(Voters);

        Assert.Equal(2UL, s.FirstIndex);
        Assert.Equal(1UL, s.LastIndex);
        Assert.True(s.TryGetTerm(1, out var t));
        Assert.Equal(1UL, t);
        Assert.Equal((new HardState(1, 0, 1), Voters), s.InitialState());
        Assert.Equal(1UL, s.GetSnapshot()!.Index);
        Assert.Equal(Voters, s.GetSnapshot()!.ConfState);
    }

    [Fact]
    public void Bootstrapped_WithoutVotersThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => MemoryStorage.Bootstrapped(new ConfState([], learners: [1UL])));

        Assert.StartsWith("a group needs at least one voter to start", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetHardStateAndConfState_AreWhatARestartSees()
    {
        var s = new MemoryStorage(Voters);
        var cs = new ConfState([1UL, 2], learners: [4UL]);

        s.SetHardState(new HardState(3, 2, 0));
        s.SetConfState(cs);

        Assert.Equal((new HardState(3, 2, 0), cs), s.InitialState());
    }

    public static TheoryData<ulong, ulong[], ulong[]> AppendCases => new()
    {
        // Held: [1 1 1] at 1..3.
        { 4, [2], [1, 1, 1, 2] },
        // Overlap: entries from 2 replace 2..3 and extend.
        { 2, [2, 2, 2], [1, 2, 2, 2] },
        // Truncation: the held tail after the new entries is dropped.
        { 2, [3], [1, 3] },
        { 1, [4], [4] },
        // Identical entries are rewritten harmlessly.
        { 1, [1, 1, 1], [1, 1, 1] },
    };

    [Theory]
    [MemberData(nameof(AppendCases))]
    public void Append(ulong first, ulong[] terms, ulong[] want)
    {
        var s = Storage(1, 1, 1);

        s.Append(Terms(first, terms));

        Assert.Equal(want, TermsHeld(s));
        Assert.Equal((ulong)want.Length, s.LastIndex);
        Assert.Equal(want.Length, s.EntryCount);
    }

    [Fact]
    public void Append_WithAGapThrows()
    {
        var s = Storage(1, 1, 1);

        var ex = Assert.Throws<ArgumentException>(() => s.Append(Terms(5, 2)));

        Assert.Equal("missing log entries: last held 3, appending from 5", ex.Message);
        Assert.Equal(new ulong[] { 1, 1, 1 }, TermsHeld(s));
    }

    [Fact]
    public void Append_SkipsEntriesAlreadyCompacted()
    {
        var s = Storage(1, 1, 1, 1);
        s.Compact(3);

        s.Append(Terms(2, 1, 1, 2, 2));

        Assert.Equal(4UL, s.FirstIndex);
        Assert.Equal(new ulong[] { 2, 2 }, TermsHeld(s));
        Assert.Equal(5UL, s.LastIndex);
    }

    [Fact]
    public void Append_EntirelyCompactedIsANoOp()
    {
        var s = Storage(1, 1, 1, 1);
        s.Compact(3);

        s.Append(Terms(1, 9, 9));
        s.Append([]);

        Assert.Equal(new ulong[] { 1 }, TermsHeld(s));
        Assert.True(s.TryGetTerm(3, out var t));
        Assert.Equal(1UL, t);
    }

    [Fact]
    public void Compact_KeepsTheBoundaryTerm()
    {
        var s = Storage(1, 2, 3, 4);

        s.Compact(2);

        Assert.Equal(3UL, s.FirstIndex);
        Assert.Equal(4UL, s.LastIndex);
        Assert.False(s.TryGetTerm(1, out _));
        Assert.True(s.TryGetTerm(2, out var t));
        Assert.Equal(2UL, t);
        Assert.Equal(new ulong[] { 3, 4 }, TermsHeld(s));
    }

    [Fact]
    public void Compact_AnOlderIndexIsANoOp()
    {
        var s = Storage(1, 2, 3, 4);
        s.Compact(3);

        s.Compact(1);
        s.Compact(3);

        Assert.Equal(4UL, s.FirstIndex);
        Assert.Equal(new ulong[] { 4 }, TermsHeld(s));
    }

    [Fact]
    public void TrimBuffers_KeepsEveryEntryAndTheBoundary()
    {
        var s = Storage(1, 1, 2, 2, 2, 3, 3, 3, 3);
        s.Compact(6);

        s.TrimBuffers();

        Assert.Equal(new ulong[] { 3, 3, 3 }, TermsHeld(s));
        Assert.True(s.TryGetTerm(6, out var t));
        Assert.Equal(3UL, t);
        s.Append(Terms(10, 4));
        Assert.Equal(new ulong[] { 3, 3, 3, 4 }, TermsHeld(s));
    }

    [Fact]
    public void Compact_EverythingLeavesOnlyTheBoundary()
    {
        var s = Storage(1, 2, 3, 4);

        s.Compact(4);

        Assert.Equal(5UL, s.FirstIndex);
        Assert.Equal(4UL, s.LastIndex);
        Assert.Equal(0, s.EntryCount);
        Assert.True(s.TryGetTerm(4, out var t));
        Assert.Equal(4UL, t);

        s.Append(Terms(5, 5));
        Assert.Equal(new ulong[] { 5 }, TermsHeld(s));
    }

    [Fact]
    public void Compact_BeyondTheLastEntryThrows()
    {
        var s = Storage(1, 2, 3, 4);

        var ex = Assert.Throws<ArgumentException>(() => s.Compact(5));

        Assert.Equal("compact 5 is beyond the last entry 4", ex.Message);
        Assert.Equal(1UL, s.FirstIndex);
    }

    [Fact]
    public void CompactAndAppend_WrapAroundTheRing()
    {
        // Many rounds of append-then-compact move the ring's head around its buffer many times
        // (and grow it); every entry must stay where its index says.
        var s = new MemoryStorage(Voters);
        var next = 1UL;
        for (var round = 0; round < 40; round++)
        {
            var n = 3 + (round % 11);
            var terms = Enumerable.Range(0, n).Select(i => next + (ulong)i).ToArray();
            s.Append(Terms(next, terms));
            next += (ulong)n;
            s.Compact(next - 1 - (ulong)(round % 5));
        }

        for (var i = s.FirstIndex - 1; i <= s.LastIndex; i++)
        {
            Assert.True(s.TryGetTerm(i, out var t));
            Assert.Equal(i, t);
        }

        Assert.Equal(next - 1, s.LastIndex);
        Assert.Equal(Enumerable.Range(0, s.EntryCount).Select(i => s.FirstIndex + (ulong)i), TermsHeld(s));
    }

    [Fact]
    public void Append_OverwritesATailThatWrapsAroundTheRing()
    {
        var s = Storage(Enumerable.Repeat(1UL, 16).ToArray());
        s.Compact(12);
        s.Append(Terms(17, 1, 1, 1));

        // Held 13..19 straddle the end of the buffer; replace from 15 on.
        s.Append(Terms(15, 2, 2));

        Assert.Equal(13UL, s.FirstIndex);
        Assert.Equal(new ulong[] { 1, 1, 2, 2 }, TermsHeld(s));
    }

    [Fact]
    public void TryGetTerm_OnlyFromTheBoundaryToTheLastIndex()
    {
        var s = Storage(1, 2, 3, 4, 5);
        s.Compact(2);

        var known = Enumerable.Range(0, 8).Select(i => s.TryGetTerm((ulong)i, out _)).ToArray();

        Assert.Equal(new[] { false, false, true, true, true, true, false, false }, known);
    }

    public static TheoryData<ulong, ulong, long, ulong[]> GetEntriesCases => new()
    {
        // Five entries of 100 counted bytes each.
        { 1, 6, long.MaxValue, [1, 2, 3, 4, 5] },
        { 2, 4, long.MaxValue, [2, 3] },
        { 3, 3, long.MaxValue, [] },
        { 1, 6, 300, [1, 2, 3] },
        { 1, 6, 299, [1, 2] },
        { 2, 6, 100, [2] },
        { 4, 6, 0, [4] },
    };

    [Theory]
    [MemberData(nameof(GetEntriesCases))]
    public void GetEntries_StopsAtTheSizeLimitButReturnsAtLeastOne(ulong lo, ulong hi, long maxSize, ulong[] want)
    {
        var s = new MemoryStorage(Voters);
        s.Append(Sized(1, 1, 5, 76));
        var into = new List<Entry>();

        s.GetEntries(lo, hi, maxSize, into);

        Assert.Equal(want, Indexes(into));
    }

    [Theory]
    [InlineData(2UL, 4UL)]
    [InlineData(3UL, 7UL)]
    [InlineData(5UL, 4UL)]
    public void GetEntries_OutsideTheHeldEntriesThrows(ulong lo, ulong hi)
    {
        var s = Storage(1, 1, 1, 1, 1);
        s.Compact(2);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => s.GetEntries(lo, hi, long.MaxValue, []));

        Assert.StartsWith($"entries [{lo}, {hi}) outside [3, 6)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateSnapshot_RecordsTermMembershipAndDataAndKeepsTheEntries()
    {
        var s = Storage(1, 2, 3, 4);
        var cs = new ConfState([1UL, 2]);
        var data = new byte[] { 1, 2, 3 };

        var snap = s.CreateSnapshot(3, cs, data);

        Assert.Equal(3UL, snap.Index);
        Assert.Equal(3UL, snap.Term);
        Assert.Equal(cs, snap.ConfState);
        Assert.Equal(data, snap.Data.ToArray());
        Assert.Same(snap, s.GetSnapshot());
        Assert.Equal(1UL, s.FirstIndex);
        Assert.Equal(4, s.EntryCount);
    }

    [Fact]
    public void CreateSnapshot_AtOrBeforeTheHeldOneReturnsTheHeldOne()
    {
        var s = Storage(1, 2, 3, 4);
        var held = s.CreateSnapshot(3, Voters, ReadOnlyMemory<byte>.Empty);

        Assert.Same(held, s.CreateSnapshot(3, new ConfState([9UL]), ReadOnlyMemory<byte>.Empty));
        Assert.Same(held, s.CreateSnapshot(2, new ConfState([9UL]), ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void CreateSnapshot_OutsideTheHeldEntriesThrows()
    {
        var s = Storage(1, 2, 3, 4, 5);
        s.Compact(3);

        var beyond = Assert.Throws<ArgumentException>(() => s.CreateSnapshot(6, Voters, ReadOnlyMemory<byte>.Empty));
        var compacted = Assert.Throws<ArgumentException>(() => s.CreateSnapshot(2, Voters, ReadOnlyMemory<byte>.Empty));

        Assert.Equal("snapshot index 6 is outside the held entries [3, 5]", beyond.Message);
        Assert.Equal("snapshot index 2 is outside the held entries [3, 5]", compacted.Message);
        // The compaction boundary itself can be snapshotted: its term is known.
        Assert.Equal(3UL, s.CreateSnapshot(3, Voters, ReadOnlyMemory<byte>.Empty).Term);
    }

    [Fact]
    public void ApplySnapshot_ReplacesEverything()
    {
        var s = Storage(1, 1, 1);
        s.SetHardState(new HardState(1, 1, 3));
        var cs = new ConfState([1UL, 2, 3, 4]);
        var snap = new Snapshot(10, 5, cs, new byte[] { 9 });

        s.ApplySnapshot(snap);

        Assert.Equal(11UL, s.FirstIndex);
        Assert.Equal(10UL, s.LastIndex);
        Assert.Equal(0, s.EntryCount);
        Assert.True(s.TryGetTerm(10, out var t));
        Assert.Equal(5UL, t);
        Assert.False(s.TryGetTerm(9, out _));
        Assert.Same(snap, s.GetSnapshot());
        // The membership comes with the snapshot; the hard state is the caller's to set.
        Assert.Equal((new HardState(1, 1, 3), cs), s.InitialState());

        s.Append(Terms(11, 5));
        Assert.Equal(new ulong[] { 5 }, TermsHeld(s));
    }

    [Fact]
    public void ApplySnapshot_OlderThanTheHeldOneThrows()
    {
        var s = new MemoryStorage(Voters);
        s.ApplySnapshot(new Snapshot(5, 2, Voters, ReadOnlyMemory<byte>.Empty));

        var ex = Assert.Throws<ArgumentException>(() => s.ApplySnapshot(new Snapshot(3, 2, Voters, ReadOnlyMemory<byte>.Empty)));

        Assert.Equal("snapshot 3 is older than the held one (5)", ex.Message);
        Assert.Equal(6UL, s.FirstIndex);
    }
}
