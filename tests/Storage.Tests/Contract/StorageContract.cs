using MultiRaft.Raft;

namespace MultiRaft.Storage.Tests.Contract;

/// <summary>
/// The behaviour every <see cref="IStorageProvider"/> must have, checked by writing through one
/// instance and recovering through a fresh one over the same durable location. Each provider
/// derives a class that says how to open it.
/// </summary>
public abstract partial class StorageContract : IAsyncLifetime
{
    private readonly List<IStorageProvider> _open = [];

    protected static readonly ReplicaId A = new(1, 1);
    protected static readonly ReplicaId B = new(1, 2);
    protected static readonly ReplicaId C = new(2, 7);

    /// <summary>Opens a new provider instance over this test's durable location.</summary>
    protected abstract ValueTask<IStorageProvider> CreateProviderAsync();

    /// <summary>Called once per test before the first open.</summary>
    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Closes what the test opened.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        foreach (var p in _open)
        {
            await p.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected async Task<IStorageProvider> OpenAsync()
    {
        var p = await CreateProviderAsync();
        _open.Add(p);
        return p;
    }

    /// <summary>Closes <paramref name="p"/>, opens a fresh instance and recovers.</summary>
    protected async Task<(IStorageProvider Provider, Dictionary<ReplicaId, RecoveredReplica> State)> ReopenAsync(IStorageProvider p)
    {
        _open.Remove(p);
        await p.DisposeAsync();
        var q = await OpenAsync();
        var rec = await q.RecoverAsync(TestContext.Current.CancellationToken);
        return (q, rec.ToDictionary(r => r.Replica));
    }

    protected async Task<IStorageProvider> OpenRecoveredAsync()
    {
        var p = await OpenAsync();
        Assert.Empty(await p.RecoverAsync(TestContext.Current.CancellationToken));
        return p;
    }

    protected static Entry[] Entries(ulong term, ulong from, int count, int payload = 8) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var index = from + (ulong)i;
            var data = new byte[payload];
            BitConverter.TryWriteBytes(data, index * 31 + term);
            return new Entry(term, index, data);
        }).ToArray();

    protected static async Task AppendDurably(IStorageProvider p, ReplicaId r, HardState? hs, Entry[] entries) =>
        await p.WaitDurableAsync(p.Append(r, hs, entries), TestContext.Current.CancellationToken);

    protected static void AssertEntries(IReadOnlyList<Entry> expected, IReadOnlyList<Entry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;
}
