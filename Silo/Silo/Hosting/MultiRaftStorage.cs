using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using MultiRaft.Storage;
using MultiRaft.Storage.FileWal;
using MultiRaft.Storage.Postgres;

namespace MultiRaft.Silo.Hosting;

/// <summary>
/// The silo's replica storage, opened once before the engine exists: the file WAL under
/// <see cref="SiloOptions.DataDirectory"/> (default) or PostgreSQL. Opening recovers every
/// replica's log; a corrupt record stops the silo here, before it serves anything. The file WAL
/// records its fsyncs on the silo's <see cref="MultiRaftMeter"/>.
/// </summary>
public sealed partial class MultiRaftStorage(SiloOptions options, IMeterFactory meters, ILogger<MultiRaftStorage> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _opening = new(1, 1);
    private ReplicaStore? _store;

    /// <summary>The opened store.</summary>
    /// <exception cref="InvalidOperationException">Not opened yet.</exception>
    public ReplicaStore Store => _store ?? throw new InvalidOperationException("The MultiRaft storage is not open yet; the silo opens it at start.");

    /// <summary>Opens and recovers the storage; later calls return at once.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_store is not null)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            IStorageProvider provider = options.Storage == "postgres"
                ? new PostgresStorageProvider(new PostgresStorageOptions
                {
                    ConnectionString = options.PostgresConnectionString, Schema = options.PostgresSchema, SiloId = options.SiloId,
                })
                : new FileWalProvider(new FileWalOptions
                {
                    Directory = Path.GetFullPath(Path.Combine(options.DataDirectory, "wal")),
                    Meter = MultiRaftMeter.Create(meters, options.SiloId),
                });
            _store = await ReplicaStore.OpenAsync(provider, cancellationToken).ConfigureAwait(false);
            Opened(logger, options.Storage, _store.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
            _store = null;
        }

        _opening.Dispose();
    }

    [LoggerMessage(EventId = 5121, Level = LogLevel.Information, Message = "Storage ({Storage}) opened: {Replicas} replicas recovered in {Milliseconds} ms")]
    private static partial void Opened(ILogger logger, string storage, int replicas, long milliseconds);
}
