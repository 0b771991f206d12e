using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>The not-yet-persisted tail of the log and an incoming snapshot.</summary>
public class UnstableLogTests
{
    private static UnstableLog WithTerms(ulong offset, params ulong[] terms)
    {
        var u = new UnstableLog(offset);
        if (terms.Length > 0)
        {
            u.TruncateAndAppend(Terms(offset, terms));
        }

        return u;
    }

    private static ulong[] TermsIn(UnstableLog u) => u.Entries.ToArray().Select(e => e.Term).ToArray();

    [Fact]
    public void Empty_KnowsNoIndexes()
    {
        var u = new UnstableLog(5);

        Assert.False(u.TryFirstIndex(out _));
        Assert.False(u.TryLastIndex(out _));
        Assert.False(u.TryTerm(4, out _));
        Assert.False(u.TryTerm(5, out _));
    }

    [Fact]
    public void Entries_GiveLastIndexAndTermsButNotFirstIndex()
    {
        var u = WithTerms(5, 1, 2);

        // Without a snapshot the first index is storage's to say.
        Assert.False(u.TryFirstIndex(out _));
        Assert.True(u.TryLastIndex(out var last));
        Assert.Equal(6UL, last);
        Assert.True(u.TryTerm(6, out var t));
        Assert.Equal(2UL, t);
        Assert.False(u.TryTerm(7, out _));
        Assert.False(u.TryTerm(4, out _));
    }

    [Fact]
    public void Snapshot_GivesFirstAndLastIndexAndItsTerm()
    {
        var u = new UnstableLog(1);
        u.Restore(new Snapshot(9, 3, ConfState.Empty, ReadOnlyMemory<byte>.Empty));

        Assert.True(u.TryFirstIndex(out var first));
        Assert.Equal(10UL, first);
        Assert.True(u.TryLastIndex(out var last));
        Assert.Equal(9UL, last);
        Assert.True(u.TryTerm(9, out var t));
        Assert.Equal(3UL, t);
        Assert.False(u.TryTerm(8, out _));
        Assert.Equal(10UL, u.Offset);
    }

    public static TheoryData<ulong, ulong[], ulong, ulong[]> TruncateAndAppendCases => new()
    {
        // Offset 5 holding [1 1 1] at 5..7.
        { 8, [2], 5, [1, 1, 1, 2] },
        { 6, [2, 2], 5, [1, 2, 2] },
        { 7, [2], 5, [1, 1, 2] },
        // At or before the offset every unstable entry goes, and the offset moves back.
        { 5, [2], 5, [2] },
        { 3, [2, 2, 2, 2], 3, [2, 2, 2, 2] },
    };

    [Theory]
    [MemberData(nameof(TruncateAndAppendCases))]
    public void TruncateAndAppend(ulong from, ulong[] terms, ulong wantOffset, ulong[] wantTerms)
    {
        var u = WithTerms(5, 1, 1, 1);

        u.TruncateAndAppend(Terms(from, terms));

        Assert.Equal(wantOffset, u.Offset);
        Assert.Equal(wantTerms, TermsIn(u));
        Assert.Equal(Enumerable.Range(0, wantTerms.Length).Select(i => wantOffset + (ulong)i), Indexes(u.Entries.ToArray()));
    }

    [Fact]
    public void TruncateAndAppend_WithAGapThrows()
    {
        var u = WithTerms(5, 1, 1, 1);

        var ex = Assert.Throws<RaftInvariantException>(() => u.TruncateAndAppend(Terms(9, 2)));

        Assert.Equal("unstable append at 9 leaves a gap after 7", ex.Message);
        Assert.Equal(new ulong[] { 1, 1, 1 }, TermsIn(u));
    }

    [Fact]
    public void Append_GrowsPastTheInitialCapacity()
    {
        var u = new UnstableLog(1);
        foreach (var e in Terms(1, Enumerable.Repeat(7UL, 200).ToArray()))
        {
            u.Append(e);
        }

        Assert.Equal(200, u.Count);
        Assert.Equal(200UL, u.At(200).Index);
        Assert.True(u.TryLastIndex(out var last));
        Assert.Equal(200UL, last);
    }

    [Fact]
    public void Buffer_StartsEmptyAndIsReleasedOnlyOnceEveryEntryIsStable()
    {
        var u = new UnstableLog(1);
        Assert.Equal(0, u.Capacity);

        u.TruncateAndAppend(Terms(1, 1, 1, 1, 1, 1));
        Assert.Equal(8, u.Capacity);

        u.StableTo(4, 1);
        u.TrimExcess();
        Assert.Equal((8, 1), (u.Capacity, u.Count));

        u.StableTo(5, 1);
        u.TrimExcess();
        Assert.Equal((0, 0), (u.Capacity, u.Count));
        Assert.Equal(6UL, u.Offset);

        u.Append(Terms(6, 2)[0]);
        Assert.Equal((4, 6UL), (u.Capacity, u.At(6).Index));
    }

    [Fact]
    public void StableTo_DropsThePersistedPrefix()
    {
        var u = WithTerms(5, 1, 1, 2);

        u.StableTo(6, 1);

        Assert.Equal(7UL, u.Offset);
        Assert.Equal(new ulong[] { 2 }, TermsIn(u));
        Assert.Equal(7UL, u.At(7).Index);
    }

    [Fact]
    public void StableTo_WithAMismatchedTermIsIgnored()
    {
        var u = WithTerms(5, 1, 1, 2);

        u.StableTo(7, 1);

        Assert.Equal(5UL, u.Offset);
        Assert.Equal(3, u.Count);
    }

    [Fact]
    public void StableTo_TheSnapshotIndexIsIgnored()
    {
        // The snapshot's own term lookup succeeds, but it is not an entry to drop.
        var u = new UnstableLog(1);
        u.Restore(new Snapshot(4, 2, ConfState.Empty, ReadOnlyMemory<byte>.Empty));
        u.TruncateAndAppend(Terms(5, 2));

        u.StableTo(4, 2);

        Assert.Equal(5UL, u.Offset);
        Assert.Equal(1, u.Count);
        Assert.NotNull(u.Snapshot);
    }

    [Fact]
    public void Restore_DropsEveryEntry()
    {
        var u = WithTerms(5, 1, 1, 2);

        u.Restore(new Snapshot(20, 3, ConfState.Empty, ReadOnlyMemory<byte>.Empty));

        Assert.Equal(0, u.Count);
        Assert.Equal(21UL, u.Offset);
        Assert.False(u.TryTerm(6, out _));
    }
}
