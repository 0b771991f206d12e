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
    /// Begins opening the storage at a silo's start and returns once the start may go on. The
    /// file WAL: once it is claimed (a directory another process holds is refused here, at once),
    /// its recovery running on the thread pool beside the rest of the start, which waits for it in
    /// <see cref="OpenAsync"/>. PostgreSQL: once it is open, because where it also keeps Orleans'
    /// membership table a server that does not answer would otherwise first fail Orleans' start,
    /// with a less plain error. Does nothing more if the open has already begun.
    /// </summary>
    /// <exception cref="StorageLockedException">Another process holds the WAL directory.</exception>
    public Task BeginOpenAsync(CancellationToken cancellationToken)
    {
        if (options.Storage == "postgres")
        {
            return OpenAsync(cancellationToken);
        }

        lock (_gate)
        {
            if (_opening is not null)
            {
                return Task.CompletedTask;
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

            _opening = StartRecovery(provider, cancellationToken);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Opens and recovers the storage, or waits for the open <see cref="BeginOpenAsync"/> began;
    /// every call waits for the same open, and a failed open fails each of them.
    /// </summary>
    public Task OpenAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _opening ??= StartRecovery(CreateProvider(), cancellationToken);
            return _opening.WaitAsync(cancellationToken);
        }
    }

    // On the thread pool: recovery reads the whole store before its first await.
    private Task StartRecovery(IStorageProvider provider, CancellationToken cancellationToken) =>
        Task.Run(() => RecoverAsync(provider, cancellationToken), CancellationToken.None);

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
