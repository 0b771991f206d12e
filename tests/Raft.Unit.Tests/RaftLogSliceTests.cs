using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Reading ranges of the log for messages and application: size caps and the shared slice cache.</summary>
public class RaftLogSliceTests
{
    // Entries 1..3 stable and 4..5 unstable, 100 counted bytes each.
    private static RaftLog SizedLog()
    {
        var storage = new MemoryStorage(new ConfState([1UL]));
        var all = Sized(1, 1, 5, 76);
        storage.Append(all.AsSpan(0, 3));
        var log = new RaftLog(storage, 0);
        log.Append(all.AsSpan(3));
        return log;
    }

    public static TheoryData<ulong, ulong, long, ulong[]> SliceCases => new()
    {
        { 1, 6, long.MaxValue, [1, 2, 3, 4, 5] },
        { 1, 4, long.MaxValue, [1, 2, 3] },
        { 4, 6, long.MaxValue, [4, 5] },
        { 3, 3, long.MaxValue, [] },
        { 1, 6, 250, [1, 2] },
        { 2, 6, 250, [2, 3] },
        // Across the storage/unstable boundary.
        { 3, 6, 250, [3, 4] },
        { 2, 6, 300, [2, 3, 4] },
        { 4, 6, 250, [4, 5] },
        // The cap is inclusive.
        { 1, 6, 300, [1, 2, 3] },
        { 1, 6, 299, [1, 2] },
        // Always at least one entry, from either part.
        { 1, 6, 50, [1] },
        { 3, 6, 1, [3] },
        { 4, 6, 1, [4] },
        { 1, 6, 0, [1] },
    };

    [Theory]
    [MemberData(nameof(SliceCases))]
    public void Slice(ulong lo, ulong hi, long maxSize, ulong[] want)
    {
        var log = SizedLog();
        var into = new List<Entry>();

        log.Slice(lo, hi, maxSize, into);

        Assert.Equal(want, Indexes(into));
    }

    [Fact]
    public void Slice_AppendsAfterWhatTheListHolds()
    {
        var log = SizedLog();
        var into = new List<Entry>(Sized(100, 9, 3, 1000));

        log.Slice(2, 6, 250, into);

        // The cap counts only what this call adds.
        Assert.Equal(new ulong[] { 100, 101, 102, 2, 3 }, Indexes(into));
    }

    [Theory]
    [InlineData(0UL, 2UL)]
    [InlineData(1UL, 7UL)]
    [InlineData(2UL, 3UL)]
    public void Slice_OutsideTheLogThrows(ulong lo, ulong hi)
    {
        var storage = Storage(1, 1, 1, 1);
        storage.Compact(2);
        var log = new RaftLog(storage, 0);
        log.Append(Terms(5, 1, 1));

        var ex = Assert.Throws<RaftInvariantException>(() => log.Slice(lo, hi, long.MaxValue, []));

        Assert.Equal($"slice [{lo}, {hi}) outside [3, 7)", ex.Message);
    }

    [Fact]
    public void EntriesFrom_CompactedIndexIsNull()
    {
        var storage = Storage(1, 1, 1, 1);
        storage.Compact(2);
        var log = new RaftLog(storage, 0);

        Assert.Null(log.EntriesFrom(2, long.MaxValue));
        Assert.Equal(new ulong[] { 3, 4 }, Indexes(log.EntriesFrom(3, long.MaxValue)!));
    }

    [Fact]
    public void EntriesFrom_BeyondTheLogIsEmpty()
    {
        var log = Log([1, 1], [1]);

        Assert.Empty(log.EntriesFrom(4, long.MaxValue)!);
        Assert.Empty(log.EntriesFrom(9, long.MaxValue)!);
    }

    [Fact]
    public void EntriesFrom_RespectsTheMessageSize()
    {
        var log = SizedLog();

        Assert.Equal(new ulong[] { 2, 3 }, Indexes(log.EntriesFrom(2, 250)!));
        Assert.Equal(new ulong[] { 4 }, Indexes(log.EntriesFrom(4, 1)!));
    }

    [Fact]
    public void EntriesFrom_TwoFollowersNeedingTheSameRangeShareOneArray()
    {
        var log = SizedLog();

        var a = log.EntriesFrom(3, long.MaxValue);
        var b = log.EntriesFrom(3, long.MaxValue);

        Assert.Same(a, b);
        Assert.Equal(new ulong[] { 3, 4, 5 }, Indexes(a!));
    }

    [Fact]
    public void EntriesFrom_ASizeLimitedRangeIsSharedToo()
    {
        // A follower catching up gets slices cut by the message size; a second one at the same
        // point needs the same slice, even after the leader appended more.
        var log = SizedLog();

        var a = log.EntriesFrom(2, 250);
        var b = log.EntriesFrom(2, 250);
        log.AppendOne(new Entry(1, 6, new byte[76]));
        var c = log.EntriesFrom(2, 250);

        Assert.Equal(new ulong[] { 2, 3 }, Indexes(a!));
        Assert.Same(a, b);
        Assert.Same(a, c);
    }

    [Fact]
    public void EntriesFrom_AnotherSizeLimitIsNotServedFromTheCache()
    {
        var log = SizedLog();

        var small = log.EntriesFrom(2, 250);
        var large = log.EntriesFrom(2, long.MaxValue);
        var smallAgain = log.EntriesFrom(2, 150);

        Assert.Equal(new ulong[] { 2, 3 }, Indexes(small!));
        Assert.Equal(new ulong[] { 2, 3, 4, 5 }, Indexes(large!));
        Assert.Equal(new ulong[] { 2 }, Indexes(smallAgain!));
    }

    [Fact]
    public void EntriesFrom_ANewEntryGivesANewArray()
    {
        var log = Log([1, 1], [1]);
        var before = log.EntriesFrom(2, long.MaxValue);

        log.AppendOne(new Entry(1, 4, ReadOnlyMemory<byte>.Empty));
        var after = log.EntriesFrom(2, long.MaxValue);

        Assert.NotSame(before, after);
        Assert.Equal(new ulong[] { 2, 3 }, Indexes(before!));
        Assert.Equal(new ulong[] { 2, 3, 4 }, Indexes(after!));
    }

    [Fact]
    public void EntriesFrom_NeverStaleAfterATruncationToTheSameLength()
    {
        // Stable [1 1], unstable [1 1]: cache entries 3..4, then a new leader replaces them with
        // entries of term 2. The range [3, 5) is the same; the content is not.
        var log = Log([1, 1], [1, 1]);
        var stale = log.EntriesFrom(3, long.MaxValue)!;

        log.MaybeAppend(2, 1, 0, Terms(3, 2, 2));
        var fresh = log.EntriesFrom(3, long.MaxValue)!;

        Assert.Equal(new ulong[] { 1, 1 }, stale.Select(e => e.Term));
        Assert.Equal(new ulong[] { 2, 2 }, fresh.Select(e => e.Term));
    }

    [Fact]
    public void EntriesFrom_NeverStaleAfterTruncatingStableEntries()
    {
        var log = Log([1, 1, 1], []);
        _ = log.EntriesFrom(2, long.MaxValue);

        log.MaybeAppend(1, 1, 0, Terms(2, 3, 3));

        Assert.Equal(new ulong[] { 3, 3 }, log.EntriesFrom(2, long.MaxValue)!.Select(e => e.Term));
    }

    [Fact]
    public void EntriesFrom_NeverStaleAfterASnapshotIsRestored()
    {
        // Entries 11..12 cached; a snapshot at 10 then new entries 11..12 of another term: the new
        // entries follow on from the log, so only the restore itself can drop the cache.
        var log = Log([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], []);
        Assert.Equal(new ulong[] { 1, 1 }, log.EntriesFrom(11, long.MaxValue)!.Select(e => e.Term));

        log.Restore(new Snapshot(10, 3, new ConfState([1UL]), ReadOnlyMemory<byte>.Empty));
        log.Append(Terms(11, 3, 3));

        Assert.Equal(new ulong[] { 3, 3 }, log.EntriesFrom(11, long.MaxValue)!.Select(e => e.Term));
    }
}
