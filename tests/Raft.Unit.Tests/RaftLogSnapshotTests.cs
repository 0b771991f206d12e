using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>The log around compaction and snapshots: term lookups, restore, and stabilisation.</summary>
public class RaftLogSnapshotTests
{
    private static readonly ConfState Voters = new([1UL, 2, 3]);

    [Fact]
    public void NewLog_StartsCommittedAndAppliedAtTheCompactionPoint()
    {
        var storage = Storage(1, 1, 2, 2, 3);
        storage.CreateSnapshot(3, Voters, ReadOnlyMemory<byte>.Empty);
        storage.Compact(3);

        var log = new RaftLog(storage, 0);

        Assert.Equal(4UL, log.FirstIndex);
        Assert.Equal(5UL, log.LastIndex);
        Assert.Equal(3UL, log.Committed);
        Assert.Equal(3UL, log.Applied);
        Assert.Equal(3UL, log.LastTerm);
    }

    [Fact]
    public void TryTerm_AroundCompaction()
    {
        var storage = Storage(1, 1, 2, 2, 3);
        storage.Compact(3);
        var log = new RaftLog(storage, 0);
        log.Append(Terms(6, 4));

        Assert.Equal(new ulong[] { 0, 0, 0, 2, 2, 3, 4, 0 }, TermsOf(log, 0, 8));
        Assert.False(log.TryTerm(2, out _));
        // The boundary entry is known by its term only.
        Assert.True(log.TryTerm(3, out var t3));
        Assert.Equal(2UL, t3);
        Assert.True(log.MatchTerm(3, 2));
        Assert.False(log.MatchTerm(2, 1));
    }

    [Fact]
    public void Restore_ReplacesTheLogWithAPendingSnapshot()
    {
        var log = Log([1, 1, 1], [2, 2]);
        log.CommitTo(2);
        var snap = new Snapshot(10, 4, Voters, new byte[] { 7 });

        log.Restore(snap);

        Assert.True(log.HasPendingSnapshot);
        Assert.Same(snap, log.GetSnapshot());
        Assert.Equal(10UL, log.Committed);
        Assert.Equal(0UL, log.Applied);
        Assert.Equal(11UL, log.FirstIndex);
        Assert.Equal(10UL, log.LastIndex);
        Assert.Equal(4UL, log.LastTerm);
        Assert.Equal(0, log.Unstable.Count);
        // Nothing is applied from the log while the snapshot is pending.
        Assert.False(log.HasNextCommittedEntries);
    }

    [Fact]
    public void Restore_ToAnIndexInsideTheLogHidesStorageEntriesBothSides()
    {
        // Storage holds 1..5 until the snapshot is persisted; none of it may be read meanwhile.
        var log = Log([1, 1, 1, 1, 1], []);

        log.Restore(new Snapshot(3, 2, Voters, ReadOnlyMemory<byte>.Empty));

        Assert.Equal(new ulong[] { 0, 0, 0, 2, 0, 0 }, TermsOf(log, 0, 6));
        Assert.Equal(3UL, log.LastIndex);
        Assert.Equal(4UL, log.FirstIndex);
        Assert.Equal((3UL, 2UL), log.FindConflictByTerm(3, 9));
        Assert.Equal((2UL, 0UL), log.FindConflictByTerm(3, 1));
    }

    [Fact]
    public void Restore_ThenPersisted_ReadsFromStorage()
    {
        var storage = Storage(1, 1, 1);
        var log = new RaftLog(storage, 0);
        var snap = new Snapshot(10, 4, Voters, ReadOnlyMemory<byte>.Empty);
        log.Restore(snap);
        log.Append(Terms(11, 4, 5));

        storage.ApplySnapshot(snap);
        log.StableSnapTo(10);
        storage.Append(Terms(11, 4, 5));
        log.StableTo(12, 5);

        Assert.False(log.HasPendingSnapshot);
        Assert.Equal(0, log.Unstable.Count);
        Assert.Equal(11UL, log.FirstIndex);
        Assert.Equal(12UL, log.LastIndex);
        Assert.Equal(new ulong[] { 0, 4, 4, 5, 0 }, TermsOf(log, 9, 14));
    }

    [Fact]
    public void StableSnapTo_AnotherIndexKeepsThePendingSnapshot()
    {
        var log = Log([1], []);
        log.Restore(new Snapshot(10, 4, Voters, ReadOnlyMemory<byte>.Empty));

        log.StableSnapTo(9);

        Assert.True(log.HasPendingSnapshot);
    }

    [Fact]
    public void StableTo_WithAMismatchedTermKeepsTheEntries()
    {
        // Entries 2..3 of term 1 were handed out for persisting; meanwhile a new leader replaced 3.
        var log = Log([1], [1, 1]);
        log.MaybeAppend(2, 1, 0, Terms(3, 2));

        log.StableTo(3, 1);

        Assert.Equal(2UL, log.Unstable.Offset);
        Assert.Equal(2, log.Unstable.Count);

        // Entry 2 did reach storage; entry 3 of term 2 is still owed.
        log.StableTo(2, 1);

        Assert.Equal(3UL, log.Unstable.Offset);
        Assert.Equal(new ulong[] { 2 }, log.Unstable.Entries.ToArray().Select(e => e.Term));
    }

    [Fact]
    public void StableTo_OutsideTheUnstablePartIsIgnored()
    {
        var log = Log([1, 1], [1, 1]);

        log.StableTo(2, 1);
        log.StableTo(5, 1);

        Assert.Equal(3UL, log.Unstable.Offset);
        Assert.Equal(2, log.Unstable.Count);
    }
}
