namespace MultiRaft.Storage.FileWal;

/// <summary>The writer thread: one write and one sync per batch, and segment rolls.</summary>
public sealed partial class FileWalProvider
{
    private readonly TaskCompletionSource _writerDone = NewSignal();
    private IWalFile? _head;   // owned by whoever holds the flush role (_flushing)
    private long _headOffset;
    private bool _writerStarted;

    // The flush role: true while the writer thread or an inline flusher writes and syncs a
    // batch. Guarded by _gate; whoever holds it owns _head and _headOffset.
    private bool _flushing;

    // A waiter found the flush role taken and needs the writer thread's next batch. Guarded by _gate.
    private bool _flushWanted;

    private void StartWriter()
    {
        // A dedicated thread, not a pool task: it blocks in write and fdatasync for most of its life.
        var thread = new Thread(WriterLoop) { IsBackground = true, Name = "file-wal-writer" };
        thread.Start();
        _writerStarted = true;
    }

    private void WriterLoop()
    {
        try
        {
            while (TakeBatch() is { } batch)
            {
                var ok = WriteBatch(batch);
                EndFlush();
                if (!ok)
                {
                    return;
                }
            }
        }
        finally
        {
            _writerDone.TrySetResult();
        }
    }

    /// <summary>
    /// Writes and syncs a batch, then completes its waiters and rolls a full segment. Only the
    /// holder of the flush role (<see cref="_flushing"/>) calls this, so it owns the head file.
    /// False after a fault (the provider has stopped).
    /// </summary>
    private bool WriteBatch(Batch batch)
    {
        try
        {
            WalFormat.Seal(batch.Buffer.WrittenMutable, batch.Segment.Seq);
            _head!.Write(_headOffset, batch.Buffer.Written);
            _headOffset += batch.Buffer.Length;
            if (_metrics is null)
            {
                _head.Sync();
            }
            else
            {
                _metrics.Sync(_head, batch.Buffer.Length);
            }
        }
        catch (Exception e)
        {
            Fail(e);
            return false;
        }

        batch.Buffer.Clear(Environment.TickCount64);
        Completed(batch.LastPosition);
        return _headOffset < _options.SegmentSize || TryRoll();
    }

    /// <summary>
    /// Waits until a waiter needs pending records flushed (or the provider stops) and takes them
    /// all; null once stopping with nothing left or after a fault.
    /// </summary>
    private Batch? TakeBatch()
    {
        lock (_gate)
        {
            // Records nobody asked for are left to the next inline flusher of WaitDurableAsync.
            while (_fault is null && (_flushing || !(_stopping || (_flushWanted && _pending.Length > 0))))
            {
                Monitor.Wait(_gate);
            }

            if (_fault is not null || _pending.Length == 0)
            {
                return null;
            }

            _flushWanted = false;
            return TakeBatchLocked();
        }
    }

    /// <summary>Takes the flush role and everything pending; call under the lock with the role free.</summary>
    private Batch TakeBatchLocked()
    {
        _flushing = true;
        (_pending, _writing) = (_writing, _pending);
        var head = _segments[^1];
        head.LastPosition = _lastPosition;
        return new Batch(_writing, head, _lastPosition);
    }

    /// <summary>Gives up the flush role and lets the writer take what arrived meanwhile.</summary>
    private void EndFlush()
    {
        lock (_gate)
        {
            _flushing = false;
            if (_pending.Length == 0)
            {
                // Everything appended is durable now: nobody can still be waiting.
                _flushWanted = false;
            }

            // Wake the writer only for work somebody waits for: a lone inline flusher should not also wake it.
            if ((_flushWanted && _pending.Length > 0) || _stopping)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void Completed(long position)
    {
        TaskCompletionSource flushed;
        lock (_gate)
        {
            if (_fault is not null)
            {
                return;
            }

            _durablePosition = position;
            flushed = _flushed;
            _flushed = NewSignal();
        }

        flushed.TrySetResult();
    }

    /// <summary>
    /// Seals the full head and starts the next segment. The seal is synced before the next file
    /// exists, so on recovery every segment but the newest must end with one.
    /// </summary>
    private bool TryRoll()
    {
        try
        {
            WalSegment head;
            lock (_gate)
            {
                head = _segments[^1];
            }

            var seal = WalRecords.Seal(_headOffset);
            WalFormat.Seal(seal, head.Seq);
            _head!.Write(_headOffset, seal);
            _head.Sync();
            _head.Dispose();
            _head = null;
            _head = OpenNewSegment(head.Seq + 1, head.LastPosition + 1);
            _headOffset = 0;
        }
        catch (Exception e)
        {
            Fail(e);
            return false;
        }

        ScheduleCollect();
        return true;
    }

    /// <summary>Creates (or takes a spare for) segment <paramref name="seq"/>, durably, and makes it the head.</summary>
    private IWalFile OpenNewSegment(ulong seq, long firstPosition)
    {
        var segment = new WalSegment(seq, firstPosition);
        string? spare;
        lock (_gate)
        {
            spare = _spares.Count > 0 ? _spares.Dequeue() : null;
        }

        IWalFile file;
        if (spare is not null)
        {
            _device.Rename(spare, segment.Name);
            file = _device.Open(segment.Name);
        }
        else
        {
            file = _device.Create(segment.Name, _options.PreallocateSize);
        }

        try
        {
            _device.SyncDirectory();
        }
        catch
        {
            file.Dispose();
            throw;
        }

        lock (_gate)
        {
            _segments.Add(segment);
        }

        return file;
    }

    private sealed record Batch(PendingBuffer Buffer, WalSegment Segment, long LastPosition);
}
