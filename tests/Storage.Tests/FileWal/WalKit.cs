using MultiRaft.Raft;
using MultiRaft.Storage.FileWal;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>Opening providers over a fault device, recovering them, and comparing recovered state.</summary>
internal static class WalKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static FileWalProvider Provider(IWalDevice device, long segmentSize = 1 << 20, int spares = 0) =>
        new(new FileWalOptions { Device = device, SegmentSize = segmentSize, MaxSpareSegments = spares, PreallocateSize = 0 });

    public static async Task<FileWalProvider> OpenAsync(IWalDevice device, long segmentSize = 1 << 20, int spares = 0)
    {
        var p = Provider(device, segmentSize, spares);
        await p.RecoverAsync(Ct);
        return p;
    }

    public static async Task<Dictionary<ReplicaId, RecoveredReplica>> RecoverAsync(IWalDevice device, long segmentSize = 1 << 20)
    {
        await using var p = Provider(device, segmentSize);
        return (await p.RecoverAsync(Ct)).ToDictionary(r => r.Replica);
    }

    public static Entry[] Entries(ulong term, ulong from, int count, int payload = 16) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var index = from + (ulong)i;
            var data = new byte[payload];
            new Random((int)(index * 7919 + term)).NextBytes(data);
            return new Entry(term, index, data);
        }).ToArray();

    public static Snapshot Snap(ulong index, ulong term, int size = 48)
    {
        var data = new byte[size];
        new Random((int)index).NextBytes(data);
        return new Snapshot(index, term, new ConfState([1UL, 2, 3]), data);
    }

    public static async Task AppendDurably(IStorageProvider p, ReplicaId r, HardState? hs, Entry[] entries) =>
        await p.WaitDurableAsync(p.Append(r, hs, entries), Ct);

    /// <summary>Asserts two recovered states are the same, replica by replica.</summary>
    public static void AssertSameState(IReadOnlyList<RecoveredReplica> expected, IReadOnlyDictionary<ReplicaId, RecoveredReplica> actual)
    {
        Assert.Equal(expected.Select(r => r.Replica).Order(), actual.Keys.Order());
        foreach (var e in expected)
        {
            AssertSameReplica(e, actual[e.Replica]);
        }
    }

    public static void AssertSameReplica(RecoveredReplica expected, RecoveredReplica actual)
    {
        Assert.Equal(expected.HardState, actual.HardState);
        Assert.Equal(expected.Snapshot is null, actual.Snapshot is null);
        if (expected.Snapshot is { } s)
        {
            Assert.Equal(s.Index, actual.Snapshot!.Index);
            Assert.Equal(s.Term, actual.Snapshot.Term);
            Assert.Equal(s.ConfState, actual.Snapshot.ConfState);
            Assert.Equal(s.Data.ToArray(), actual.Snapshot.Data.ToArray());
        }

        Assert.Equal(expected.Entries.Count, actual.Entries.Count);
        for (var i = 0; i < expected.Entries.Count; i++)
        {
            Assert.Equal(expected.Entries[i], actual.Entries[i]);
        }
    }

    public static string Head(IWalDevice device) => device.List().Last(n => n.StartsWith(WalSegment.Prefix, StringComparison.Ordinal));
}
