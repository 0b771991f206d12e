using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Commit and apply indexes: bounds, the current-term rule (§5.4.2), and batching of committed entries.</summary>
public class RaftLogCommitTests
{
    [Fact]
    public void CommitTo_NeverGoesBack()
    {
        var log = Log([1, 2, 3], []);
        log.CommitTo(3);

        log.CommitTo(1);

        Assert.Equal(3UL, log.Committed);
    }

    [Fact]
    public void CommitTo_BeyondTheLastIndexThrows()
    {
        var log = Log([1, 2], [3]);

        var ex = Assert.Throws<RaftInvariantException>(() => log.CommitTo(4));

        Assert.Equal("commit 4 is beyond the last index 3", ex.Message);
        Assert.Equal(0UL, log.Committed);
    }

    [Fact]
    public void CommitTo_TheLastIndexIncludingUnstableEntries()
    {
        var log = Log([1, 2], [3]);

        log.CommitTo(3);

        Assert.Equal(3UL, log.Committed);
    }

    // Log [1 2 3], committed 1.
    public static TheoryData<ulong, ulong, bool, ulong> MaybeCommitCases => new()
    {
        { 3, 3, true, 3 },
        // Entry 2 is from term 2: counting replicas cannot commit it in term 3 (Figure 8).
        { 2, 3, false, 1 },
        { 2, 2, true, 2 },
        { 3, 4, false, 1 },
        // Not beyond the commit index.
        { 1, 1, false, 1 },
        // Beyond the log.
        { 4, 3, false, 1 },
    };

    [Theory]
    [MemberData(nameof(MaybeCommitCases))]
    public void MaybeCommit_OnlyAnEntryOfTheGivenTerm(ulong index, ulong term, bool want, ulong wantCommitted)
    {
        var log = Log([1, 2, 3], []);
        log.CommitTo(1);

        Assert.Equal(want, log.MaybeCommit(index, term));
        Assert.Equal(wantCommitted, log.Committed);
    }

    [Fact]
    public void AppliedTo_StaysWithinAppliedAndCommitted()
    {
        var log = Log([1, 2, 3], []);
        log.CommitTo(2);

        log.AppliedTo(0);
        Assert.Equal(0UL, log.Applied);

        var beyond = Assert.Throws<RaftInvariantException>(() => log.AppliedTo(3));
        Assert.Equal("applied 3 outside [0, 2]", beyond.Message);

        log.AppliedTo(2);
        log.AppliedTo(2);
        Assert.Equal(2UL, log.Applied);

        var back = Assert.Throws<RaftInvariantException>(() => log.AppliedTo(1));
        Assert.Equal("applied 1 outside [2, 2]", back.Message);
        Assert.Equal(2UL, log.Applied);
    }

    // Five entries of 100 counted bytes each (76 B payload + 24 B overhead), all committed.
    public static TheoryData<long, int[]> BatchCases => new()
    {
        // No cap: everything at once.
        { 0, [5] },
        { 250, [2, 2, 1] },
        { 300, [3, 2] },
        // A cap below one entry still makes progress, one entry per Ready.
        { 50, [1, 1, 1, 1, 1] },
    };

    [Theory]
    [MemberData(nameof(BatchCases))]
    public void NextCommittedEntries_BatchesByMaxCommittedSizePerReady(long cap, int[] wantBatches)
    {
        // Three stable and two unstable entries, so batches cross the boundary.
        var storage = new MemoryStorage(new ConfState([1UL]));
        var all = Sized(1, 1, 5, 76);
        storage.Append(all.AsSpan(0, 3));
        var log = new RaftLog(storage, cap);
        log.Append(all.AsSpan(3));
        log.CommitTo(5);

        var batches = new List<int>();
        var next = 1UL;
        var into = new List<Entry>();
        while (log.HasNextCommittedEntries)
        {
            into.Clear();
            log.NextCommittedEntries(into);
            Assert.Equal(next, into[0].Index);
            Assert.Equal(all[(int)next - 1], into[0]);
            next = into[^1].Index + 1;
            batches.Add(into.Count);
            log.AppliedTo(into[^1].Index);
        }

        Assert.Equal(wantBatches, batches);
        Assert.Equal(5UL, log.Applied);
    }

    [Fact]
    public void NextCommittedEntries_StopsAtTheCommitIndex()
    {
        var log = Log([1, 1], [1, 1]);
        log.CommitTo(3);
        log.AppliedTo(1);
        var into = new List<Entry>();

        log.NextCommittedEntries(into);

        Assert.Equal(new ulong[] { 2, 3 }, Indexes(into));
    }

    [Fact]
    public void NextCommittedEntries_NoneWhenAllAreApplied()
    {
        var log = Log([1, 1], []);
        log.CommitTo(2);
        log.AppliedTo(2);
        var into = new List<Entry>();

        log.NextCommittedEntries(into);

        Assert.False(log.HasNextCommittedEntries);
        Assert.Empty(into);
    }
}
