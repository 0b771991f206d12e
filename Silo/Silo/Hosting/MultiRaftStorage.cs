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
/// replica's log; a corrupt record stops the silo before it joins the cluster. The file WAL
/// records its fsyncs on the silo's <see cref="MultiRaftMeter"/>.
/// </summary>
public sealed partial class MultiRaftStorage(SiloOptions options, IMeterFactory meters, ILogger<MultiRaftStorage> logger) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private Task? _opening;
    private ReplicaStore? _store;

    /// <summary>The opened store.</summary>
    /// <exception cref="InvalidOperationException">Not opened yet.</exception>
    public ReplicaStore Store => _store ?? throw new InvalidOperationException("The MultiRaft storage is not open yet; the silo opens it at start.");

    /// <summary>
    /// Claims the storage now and recovers it on the thread pool, so that the silo's start goes on
    /// beside the recovery (a second or two at 10,000 replicas) and waits for it in
    /// <see cref="OpenAsync"/>. A WAL directory another process holds is refused here, at once.
    /// Does nothing if the open has already begun.
    /// </summary>
    /// <exception cref="StorageLockedException">Another process holds the WAL directory.</exception>
    public void BeginOpen(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_opening is not null)
            {
                return;
            }

            var provider = CreateProvider();
            try
            {
                provider.Claim();
            }
            catch
            {
                // A provider that claimed nothing holds nothing: disposing it only marks it stopped.
                provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }

            _opening = Task.Run(() => RecoverAsync(provider, cancellationToken), CancellationToken.None);
        }
    }

    /// <summary>
    /// Opens and recovers the storage, or waits for the open <see cref="BeginOpen"/> started;
    /// every call waits for the same open, and a failed open fails each of them.
    /// </summary>
    public Task OpenAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _opening ??= Task.Run(() => RecoverAsync(CreateProvider(), cancellationToken), CancellationToken.None);
            return _opening.WaitAsync(cancellationToken);
        }
    }

    private IStorageProvider CreateProvider() => options.Storage == "postgres"
        ? new PostgresStorageProvider(new PostgresStorageOptions
        {
            ConnectionString = options.PostgresConnectionString, Schema = options.PostgresSchema, SiloId = options.SiloId,
        })
        : new FileWalProvider(new FileWalOptions
        {
            Directory = Path.GetFullPath(Path.Combine(options.DataDirectory, "wal")),
            Meter = MultiRaftMeter.Create(meters, options.SiloId),
        });

    private async Task RecoverAsync(IStorageProvider provider, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            _store = await ReplicaStore.OpenAsync(provider, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Opened(logger, options.Storage, _store.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task? opening;
        lock (_gate)
        {
            opening = _opening;
        }

        if (opening is not null)
        {
            // A silo stopped while its storage recovers lets the recovery end before it lets go of the directory.
            await opening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
            _store = null;
        }
    }

    [LoggerMessage(EventId = 5121, Level = LogLevel.Information, Message = "Storage ({Storage}) opened: {Replicas} replicas recovered in {Milliseconds} ms")]
    private static partial void Opened(ILogger logger, string storage, int replicas, long milliseconds);
}
