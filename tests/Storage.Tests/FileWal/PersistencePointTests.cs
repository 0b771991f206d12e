using MultiRaft.Raft;
using MultiRaft.Storage.FileWal;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// TESTING.md 8 at the storage level: the disk dies at every single operation of a workload
/// that appends, saves, installs, compacts and deletes (and rolls and deletes segments on the
/// way). Whether the machine then loses power (only synced data and directory entries remain)
/// or only the process dies (everything written remains), recovery yields exactly the
/// reference state after every acknowledged operation, plus perhaps the one in flight, and
/// leaves no stray snapshot files.
/// </summary>
public sealed class PersistencePointTests
{
    private static readonly ReplicaId A = new(1, 1);
    private static readonly ReplicaId B = new(1, 2);
    private static readonly ReplicaId C = new(2, 3);

    private static ReferenceRun Workload() => new ReferenceRun()
        .Append(A, new HardState(1, 1, 0), Entries(1, 1, 4, payload: 300))
        .Append(B, new HardState(1, 2, 0), Entries(1, 1, 3, payload: 300))
        .Append(A, new HardState(1, 1, 4), Entries(1, 5, 2, payload: 300))
        .Save(A, Snap(4, 1))
        .Compact(A, 4)
        .Install(B, Snap(10, 2, size: 500))
        .Append(B, new HardState(2, 2, 10), Entries(2, 11, 2, payload: 300))
        .Append(C, new HardState(2, 0, 0), Entries(2, 1, 2, payload: 300))
        .Append(A, new HardState(2, 1, 6), Entries(2, 5, 4, payload: 300))
        .Delete(C)
        .Save(A, Snap(7, 2))
        .Compact(A, 7)
        .Save(B, Snap(12, 2))
        .Compact(B, 12)
        .Append(A, new HardState(2, 1, 8), Entries(2, 9, 12, payload: 300))
        .Install(B, Snap(30, 3))
        .Append(B, new HardState(3, 2, 30), Entries(3, 31, 1, payload: 300))
        .Save(A, Snap(20, 2))
        .Compact(A, 20);

    [Fact]
    public async Task EveryPersistencePointRecoversAnAcknowledgedPrefix()
    {
        var workload = Workload();
        var states = await workload.ReferenceStatesAsync();

        var clean = new FaultyWalDevice();
        await using (var p = await OpenAsync(clean, segmentSize: 4096))
        {
            var before = clean.Operations;
            Assert.Equal((workload.Count, workload.Count), await workload.RunAsync(p));
            AssertMatches(states, workload.Count, workload.Count, await RecoverAsync(clean.ProcessCrash(), 4096));
            Assert.True(clean.Operations - before > 60, $"only {clean.Operations - before} device operations");
        }

        var total = clean.Operations;
        for (var dieAfter = 0; dieAfter <= total; dieAfter++)
        {
            var device = new FaultyWalDevice();
            var p = await OpenAsync(device, segmentSize: 4096);
            device.DieAfter = device.Operations + dieAfter;
            var (acknowledged, started) = await workload.RunAsync(p);
            await p.DisposeAsync();

            foreach (var image in new[] { device.PowerCut(), device.ProcessCrash() })
            {
                var state = await RecoverAsync(image, 4096);
                AssertMatches(states, acknowledged, started, state);
                var snapshots = image.List().Where(SnapshotFiles.IsSnapshot).Order().ToArray();
                var named = state.Values.Where(r => r.Snapshot is not null).Select(r => r.Snapshot!.Index).ToArray();
                Assert.Equal(named.Length, snapshots.Length);
                Assert.DoesNotContain(image.List(), n => n.EndsWith(SnapshotFiles.TempSuffix, StringComparison.Ordinal));
            }
        }
    }

    private static void AssertMatches(List<IReadOnlyList<RecoveredReplica>> states, int acknowledged, int started,
        Dictionary<ReplicaId, RecoveredReplica> state)
    {
        var match = ReferenceRun.MatchingPrefix(states, acknowledged, started, state);
        Assert.True(match >= 0, $"the recovered state matches no prefix between {acknowledged} and {started} operations");
    }
}
