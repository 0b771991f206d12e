using MultiRaft.Raft;

namespace MultiRaft.Storage.Tests.Contract;

/// <summary>Snapshots, compaction and deletion.</summary>
public abstract partial class StorageContract
{
    protected static Snapshot Snap(ulong index, ulong term, int size = 64)
    {
        var data = new byte[size];
        new Random((int)index).NextBytes(data);
        var cs = new ConfState([1UL, 2, 3], votersOutgoing: [1UL, 2, 4], learners: [5UL], learnersNext: [4UL], autoLeave: true);
        return new Snapshot(index, term, cs, data);
    }

    protected static void AssertSnapshot(Snapshot expected, Snapshot? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Term, actual.Term);
        Assert.Equal(expected.ConfState, actual.ConfState);
        Assert.Equal(expected.Data.ToArray(), actual.Data.ToArray());
    }

    [Fact]
    public async Task ASavedSnapshotIsRecoveredWithTheEntriesAfterIt()
    {
        var p = await OpenRecoveredAsync();
        await AppendDurably(p, A, new HardState(1, 1, 8), Entries(1, 1, 10));
        var snap = Snap(6, 1);
        await p.SaveSnapshotAsync(A, snap, Ct);

        var (_, state) = await ReopenAsync(p);

        AssertSnapshot(snap, state[A].Snapshot);
        AssertEntries(Entries(1, 7, 4), state[A].Entries);
        Assert.Equal(new HardState(1, 1, 8), state[A].HardState);
    }

    [Fact]
    public async Task CompactionKeepsTheSnapshotAndLaterEntries()
    {
        var p = await OpenRecoveredAsync();
        await AppendDurably(p, A, new HardState(1, 1, 10), Entries(1, 1, 10));
        var snap = Snap(8, 1);
        await p.SaveSnapshotAsync(A, snap, Ct);
        await p.CompactAsync(A, 8, Ct);
        await AppendDurably(p, A, new HardState(2, 1, 10), Entries(2, 11, 2));

        var (_, state) = await ReopenAsync(p);

        AssertSnapshot(snap, state[A].Snapshot);
        AssertEntries(Entries(1, 9, 2).Concat(Entries(2, 11, 2)).ToArray(), state[A].Entries);
    }

    [Fact]
    public async Task AnInstalledSnapshotReplacesTheWholeLog()
    {
        var p = await OpenRecoveredAsync();
        await AppendDurably(p, A, new HardState(1, 1, 3), Entries(1, 1, 20));
        var snap = Snap(12, 3, size: 200_000);
        await p.InstallSnapshotAsync(A, snap, Ct);
        await AppendDurably(p, A, new HardState(3, 0, 12), Entries(3, 13, 2));

        var (_, state) = await ReopenAsync(p);

        AssertSnapshot(snap, state[A].Snapshot);
        AssertEntries(Entries(3, 13, 2), state[A].Entries);
        Assert.Equal(new HardState(3, 0, 12), state[A].HardState);
    }

    [Fact]
    public async Task AnInstalledSnapshotBeyondTheLogLeavesNoEntries()
    {
        var p = await OpenRecoveredAsync();
        await AppendDurably(p, A, new HardState(1, 1, 3), Entries(1, 1, 5));
        var snap = Snap(40, 4);
        await p.InstallSnapshotAsync(A, snap, Ct);

        var (_, state) = await ReopenAsync(p);

        AssertSnapshot(snap, state[A].Snapshot);
        Assert.Empty(state[A].Entries);
    }

    [Fact]
    public async Task ALaterSnapshotSupersedesAnEarlierOne()
    {
        var p = await OpenRecoveredAsync();
        await AppendDurably(p, A, new HardState(1, 1, 30), Entries(1, 1, 30));
        await p.SaveSnapshotAsync(A, Snap(10, 1), Ct);
        await p.CompactAsync(A, 10, Ct);
        var later = Snap(25, 1);
        await p.SaveSnapshotAsync(A, later, Ct);
        await p.CompactAsync(A, 25, Ct);

        var (_, state) = await ReopenAsync(p);

        AssertSnapshot(later, state[A].Snapshot);
        AssertEntries(Entries(1, 26, 5), state[A].Entries);
    }

    [Fact]
    public async Task ADeletedReplicaIsForgottenAndOthersAreUntouched()
    {
        var p = await OpenRecoveredAsync();
        await AppendDurably(p, A, new HardState(1, 1, 2), Entries(1, 1, 5));
        await AppendDurably(p, B, new HardState(1, 2, 2), Entries(1, 1, 5, payload: 3));
        await p.SaveSnapshotAsync(A, Snap(3, 1), Ct);
        await p.DeleteReplicaAsync(A, Ct);
        await AppendDurably(p, C, new HardState(2, 0, 0), Entries(2, 1, 1));

        var (_, state) = await ReopenAsync(p);

        Assert.False(state.ContainsKey(A));
        AssertEntries(Entries(1, 1, 5, payload: 3), state[B].Entries);
        AssertEntries(Entries(2, 1, 1), state[C].Entries);
    }
}
