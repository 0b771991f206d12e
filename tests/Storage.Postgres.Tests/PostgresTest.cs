using MultiRaft.Raft;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>
/// A test with a schema of its own on the shared server; the providers it opens are closed and
/// the schema dropped when it ends.
/// </summary>
public abstract class PostgresTest(PostgresServerFixture server) : IAsyncLifetime
{
    private readonly List<IStorageProvider> _open = [];

    protected PostgresServerFixture Server { get; } = server;

    protected string Schema { get; } = PostgresServerFixture.NewSchema("t");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _open)
        {
            await p.DisposeAsync();
        }

        await Server.DropSchemaAsync(Schema);
        GC.SuppressFinalize(this);
    }

    /// <summary>A provider on this test's schema, closed at the end of the test.</summary>
    private protected PostgresStorageProvider Provider(PostgresStorageOptions? options = null, IReadOnlyList<PostgresMigration>? migrations = null)
    {
        var p = new PostgresStorageProvider(options ?? Server.Options(Schema), migrations ?? PostgresMigrations.All);
        _open.Add(p);
        return p;
    }

    /// <summary>Opens a provider and returns what it recovered, by replica.</summary>
    protected async Task<(PostgresStorageProvider Provider, Dictionary<ReplicaId, RecoveredReplica> State)> OpenAsync(
        PostgresStorageOptions? options = null)
    {
        var p = Provider(options);
        var state = await p.RecoverAsync(Ct);
        return (p, state.ToDictionary(r => r.Replica));
    }

    /// <summary>Closes <paramref name="p"/> so that nothing it holds can answer for the next instance.</summary>
    protected async Task CloseAsync(IStorageProvider p)
    {
        _open.Remove(p);
        await p.DisposeAsync();
    }

    protected static Entry[] Entries(ulong term, ulong from, int count, int payload = 8) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var data = new byte[payload];
            BitConverter.TryWriteBytes(data, ((from + (ulong)i) * 131) + term);
            return new Entry(term, from + (ulong)i, data);
        }).ToArray();

    protected static async Task AppendDurably(IStorageProvider p, ReplicaId r, HardState? hs, Entry[] entries) =>
        await p.WaitDurableAsync(p.Append(r, hs, entries), Ct);
}
