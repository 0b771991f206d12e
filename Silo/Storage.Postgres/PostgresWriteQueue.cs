namespace MultiRaft.Storage.Postgres;

/// <summary>
/// Group commit: operations are queued in call order and numbered; one writer loop takes
/// everything queued while the previous batch was committing, writes it as one transaction,
/// and releases every waiter of the batch at once. A failed batch stops the queue for good
/// (fail stop): its waiters, the waiters of what queued behind it, and every later caller get
/// the fault; nothing is retried, since whether a failed commit took effect cannot be known.
/// </summary>
internal sealed class PostgresWriteQueue
{
    private readonly PostgresFaults _faults;

    // One count per batch that went from empty to non-empty, plus one to wake the loop for
    // closing. Never disposed: an appender may release it after the loop has exited.
    private readonly SemaphoreSlim _work = new(0);

    private readonly object _gate = new();
    private PostgresWriteBatch _pending = new();
    private PostgresWriteBatch? _inflight;
    private long _position;
    private long _durable;
    private long _committedBatches;
    private StorageFaultException? _fault;
    private bool _started;
    private bool _closing;
    private Task? _loop;

    public PostgresWriteQueue(PostgresFaults faults) => _faults = faults;

    /// <summary>Transactions committed so far.</summary>
    public long CommittedBatches
    {
        get
        {
            lock (_gate)
            {
                return _committedBatches;
            }
        }
    }

    /// <summary>Starts the writer loop; operations may be queued from now on.</summary>
    public void Start(PostgresBatchWriter writer)
    {
        lock (_gate)
        {
            _started = true;
            _loop = Task.Run(() => WriteLoopAsync(writer), CancellationToken.None);
        }
    }

    /// <summary>Stops the queue before it started (the store could not be opened).</summary>
    public void Stop(StorageFaultException fault)
    {
        lock (_gate)
        {
            _fault ??= fault;
        }
    }

    /// <summary>Queues <paramref name="op"/> and returns its position.</summary>
    public long Enqueue(PostgresWriteOp op)
    {
        long position;
        bool wake;
        lock (_gate)
        {
            if (_fault is { } fault)
            {
                throw Stopped(fault);
            }

            ObjectDisposedException.ThrowIf(_closing, this);
            if (!_started)
            {
                throw new InvalidOperationException("RecoverAsync must complete before the store is written");
            }

            position = ++_position;
            wake = _pending.IsEmpty;
            _pending.Add(op, position);
        }

        if (wake)
        {
            _work.Release();
        }

        return position;
    }

    /// <summary>Completes once the operation at <paramref name="position"/> and all before it are committed.</summary>
    public ValueTask WaitDurableAsync(long position, CancellationToken cancellationToken)
    {
        PostgresWriteBatch batch;
        lock (_gate)
        {
            if (_fault is { } fault)
            {
                return ValueTask.FromException(Stopped(fault));
            }

            if (position <= _durable)
            {
                return ValueTask.CompletedTask;
            }

            ArgumentOutOfRangeException.ThrowIfGreaterThan(position, _position);

            // A position not yet durable is in the batch being committed or in the one gathering.
            batch = _inflight is { } f && position <= f.LastPosition ? f : _pending;
        }

        return new ValueTask(batch.Done.WaitAsync(cancellationToken));
    }

    /// <summary>Writes what is queued, then stops the loop; later operations are refused.</summary>
    public async Task CloseAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
            loop = _loop;
        }

        _work.Release();
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync(PostgresBatchWriter writer)
    {
        while (true)
        {
            await _work.WaitAsync().ConfigureAwait(false);
            PostgresWriteBatch batch;
            lock (_gate)
            {
                if (_pending.IsEmpty)
                {
                    if (_closing)
                    {
                        return;
                    }

                    continue;
                }

                batch = _pending;
                _pending = new PostgresWriteBatch();
                _inflight = batch;
            }

            try
            {
                // Not cancellable: a batch is committed or the queue stops, never abandoned halfway.
                await writer.WriteAsync(batch.Ops, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var fault = _faults.Wrap($"committing a batch of {batch.Ops.Count} operations", e);
                PostgresWriteBatch behind;
                lock (_gate)
                {
                    _fault = fault;
                    _inflight = null;
                    behind = _pending;
                }

                batch.Fail(fault);
                behind.Fail(fault);
                return;
            }

            lock (_gate)
            {
                _committedBatches++;
                _durable = batch.LastPosition;
                _inflight = null;
            }

            batch.Complete();
        }
    }

    // A fresh exception per caller, so each gets its own stack; the first fault is inside it.
    private static StorageFaultException Stopped(StorageFaultException fault) => new(fault.Message, fault);
}
