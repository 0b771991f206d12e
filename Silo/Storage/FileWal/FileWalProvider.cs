using MultiRaft.Raft;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// The embedded default <see cref="IStorageProvider"/>: one segmented, append-only log per silo
/// shared by all its replicas, with snapshots in files beside it.
///
/// <para>Group commit: <see cref="Append"/> serializes a record into the pending buffer under a
/// lock and returns its position (a record number). Whoever holds the flush role takes everything
/// pending, writes it with one write and makes it durable with one fdatasync, then completes every
/// waiter up to the batch's last position; appenders that arrive meanwhile form the next batch.
/// The role goes to the first <see cref="WaitDurableAsync"/> caller that finds no flush under way
/// (so a lone writer pays only its write and sync, no thread hand-off). A caller that finds a
/// flush under way asks the writer thread for the next batch. Appending wakes nobody: records
/// become durable when somebody waits for them (or at shutdown), which is the contract, and a
/// writer woken by every append would take the flush from the caller about to wait.</para>
///
/// <para>Fail stop: the first failed write, sync or file operation stops the provider. Waiters
/// and every later call get <see cref="StorageFaultException"/>, the durable position never moves
/// again, and nothing is retried: after a failed fsync the kernel may have dropped the dirty
/// pages, so a retry that succeeds would acknowledge data that is not on disk.</para>
///
/// <para>The record format is in <see cref="WalFormat"/> and <see cref="WalRecords"/>, recovery in
/// <see cref="SegmentScanner"/> and <see cref="WalReplay"/>, and segment deletion in
/// <c>FileWalProvider.Segments.cs</c>.</para>
/// </summary>
public sealed partial class FileWalProvider : IStorageProvider, ILogHoldBacks
{
    private readonly FileWalOptions _options;
    private readonly IWalDevice _device;
    private readonly WalMetrics? _metrics;

    // Guards everything below. Held briefly: to serialize a record, to swap buffers, to update
    // the tracking state. Never held across I/O.
    private readonly object _gate = new();
    private Dictionary<ReplicaId, ReplicaLog> _replicas = [];
    private readonly List<WalSegment> _segments = [];
    private PendingBuffer _pending = new();
    private PendingBuffer _writing = new();
    private long _lastPosition;
    private long _durablePosition; // invariant: _durablePosition <= _lastPosition, and it only moves after a successful sync
    private TaskCompletionSource _flushed = NewSignal();
    private Exception? _fault;
    private bool _recovered;
    private bool _stopping;
    private IDisposable? _directoryLock; // held from Claim or a successful RecoverAsync until DisposeAsync

    /// <summary>
    /// Creates a provider; nothing is read until <see cref="RecoverAsync"/>, which first takes the
    /// directory's lock (one process per directory, see <see cref="IWalDevice.Lock"/>).
    /// </summary>
    public FileWalProvider(FileWalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _device = options.Device ?? new DiskWalDevice(options.Directory);
        _metrics = options.Meter is { } meter ? new WalMetrics(meter) : null;
    }

    /// <inheritdoc />
    public string Name => "file";

    /// <inheritdoc />
    public long Append(ReplicaId replica, HardState? hardState, ReadOnlySpan<Entry> entries)
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            var known = _replicas.TryGetValue(replica, out var log);
            log ??= new ReplicaLog(_lastPosition + 1);
            entries = entries[log.Plan(replica, entries)..];
            WalRecords.WriteAppend(_pending, replica, hardState, entries);
            var position = ++_lastPosition;
            if (!known)
            {
                _replicas.Add(replica, log);
            }

            log.Append(position, hardState, entries.IsEmpty ? 0 : entries[0].Index, entries.Length);
            return position;
        }
    }

    /// <summary>
    /// Completes once <paramref name="position"/> is durable. When no flush is under way the caller
    /// writes and syncs everything pending itself (the first waiter leads the group commit), so a
    /// lone writer pays no thread hand-offs, only its write and fdatasync; waiters that find a
    /// flush under way ask for and wait for the writer thread's next batch.
    /// </summary>
    public ValueTask WaitDurableAsync(long position, CancellationToken cancellationToken)
    {
        Task flushed;
        Batch inline;
        lock (_gate)
        {
            if (_fault is not null)
            {
                return ValueTask.FromException(Stopped());
            }

            if (position <= _durablePosition)
            {
                return ValueTask.CompletedTask;
            }

            ArgumentOutOfRangeException.ThrowIfGreaterThan(position, _lastPosition);
            if (_flushing || _stopping || !_writerStarted || _pending.Length == 0)
            {
                flushed = _flushed.Task;
                WantFlushLocked();
                return WaitSlowAsync(position, flushed, cancellationToken);
            }

            // Nobody is flushing, so every record after the durable position is pending: taking
            // them all covers this position.
            inline = TakeBatchLocked();
        }

        var ok = WriteBatch(inline);
        EndFlush();
        return ok ? ValueTask.CompletedTask : ValueTask.FromException(Stopped());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        if (_writerStarted)
        {
            await _writerDone.Task.ConfigureAwait(false);
        }

        await _collecting.ConfigureAwait(false);
        _head?.Dispose();
        _collectGate.Dispose();

        // Last, once nothing here can touch the directory again: from now on another provider
        // (a silo restarted in this process) may open it.
        IDisposable? directoryLock;
        lock (_gate)
        {
            directoryLock = _directoryLock;
            _directoryLock = null;
        }

        directoryLock?.Dispose();
    }

    private async ValueTask WaitSlowAsync(long position, Task flushed, CancellationToken cancellationToken)
    {
        while (true)
        {
            await flushed.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                // A waiter already waiting when a later batch fails still learns that its own
                // batch made it: that is true, and the fault reaches it through its next call.
                if (position <= _durablePosition)
                {
                    return;
                }

                if (_fault is not null)
                {
                    throw Stopped();
                }

                flushed = _flushed.Task;
                WantFlushLocked();
            }
        }
    }

    /// <summary>Enqueues a record written by <paramref name="write"/>; call under the lock.</summary>
    private long Enqueue<TState>(TState state, Action<PendingBuffer, TState> write)
    {
        write(_pending, state);
        return ++_lastPosition;
    }

    /// <summary>
    /// A waiter cannot flush inline: the writer thread takes what is pending, now or when the
    /// flush under way ends (<see cref="EndFlush"/>). Call under the lock.
    /// </summary>
    private void WantFlushLocked()
    {
        _flushWanted = true;
        if (!_flushing && _pending.Length > 0)
        {
            Monitor.PulseAll(_gate);
        }
    }

    private void ThrowIfUnusable()
    {
        if (_fault is not null)
        {
            throw Stopped();
        }

        ObjectDisposedException.ThrowIf(_stopping, this);
        if (!_recovered)
        {
            throw new InvalidOperationException("FileWalProvider: call RecoverAsync first");
        }
    }

    /// <summary>Stops the provider for good (fail stop) and returns the exception to throw.</summary>
    private StorageFaultException Fail(Exception cause)
    {
        TaskCompletionSource flushed;
        lock (_gate)
        {
            _fault ??= cause;
            flushed = _flushed;
            Monitor.PulseAll(_gate);
        }

        flushed.TrySetResult();
        return Stopped();
    }

    private StorageFaultException Stopped() =>
        new($"the file WAL in {_device.Location} has stopped after a storage fault: {_fault!.Message}", _fault);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
