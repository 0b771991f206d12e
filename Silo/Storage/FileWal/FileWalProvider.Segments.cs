namespace MultiRaft.Storage.FileWal;

/// <summary>
/// Segment deletion. Only a prefix of the log is ever deleted (oldest first), so whatever
/// survives is a suffix of the history and replays in order (see <see cref="WalReplay"/>).
///
/// <para>A sealed segment may go once every record position in it is below the oldest position
/// any replica still needs for a live entry (<see cref="ReplicaLog.FirstLivePosition"/>). A
/// replica's other needs are small (its hard state or first record, its snapshot pointer): for
/// every replica whose such record lies in the doomed segments, a checkpoint restating them is
/// appended, and the files are deleted only once those checkpoints are durable. Deletion records
/// need no copy: a replica's records all precede its deletion record, and they go with it or
/// before it. Entries are not copied here: a replica that never compacts pins its segments until
/// its owner writes its few live entries again at the head (<see cref="HoldingBackOldest"/>),
/// so the log never rewrites bulk data by itself.</para>
/// </summary>
public sealed partial class FileWalProvider
{
    private readonly SemaphoreSlim _collectGate = new(1, 1);
    private readonly Queue<string> _spares = new();
    private Task _collecting = Task.CompletedTask;

    /// <summary>The segment files (oldest first) the log consists of now.</summary>
    internal IReadOnlyList<string> SegmentNames
    {
        get
        {
            lock (_gate)
            {
                return _segments.Select(s => s.Name).ToArray();
            }
        }
    }

    /// <summary>
    /// Deletes (or keeps as spares) the segments no replica needs any more. Runs by itself after
    /// each segment roll; tests call it to make deletion happen at a known point.
    /// </summary>
    internal async Task CollectSegmentsAsync(CancellationToken cancellationToken)
    {
        await _collectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (doomed, checkpointed) = PlanCollection();
            if (doomed.Count == 0)
            {
                return;
            }

            if (checkpointed > 0)
            {
                await WaitDurableAsync(checkpointed, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                foreach (var segment in doomed)
                {
                    Retire(segment);
                }

                _device.SyncDirectory();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Fail(e);
            }
        }
        finally
        {
            _collectGate.Release();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<(ReplicaId Replica, ulong LiveEntries)> HoldingBackOldest(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_gate)
        {
            ThrowIfUnusable();
            if (_segments.Count < 2)
            {
                return [];
            }

            var cut = _segments[0].LastPosition;
            var holders = new List<(ReplicaId, ulong)>();
            foreach (var (id, log) in _replicas)
            {
                if (log.FirstLivePosition <= cut)
                {
                    holders.Add((id, log.LastIndex > log.LiveBase ? log.LastIndex - log.LiveBase : 0));
                    if (holders.Count == max)
                    {
                        break;
                    }
                }
            }

            if (holders.Count == 0)
            {
                // Its holders' entries were written again (or compacted): the segment can go.
                ScheduleCollectLocked();
            }

            return holders;
        }
    }

    /// <summary>Picks the segments to delete and enqueues the checkpoints that must precede it.</summary>
    private (List<WalSegment> Doomed, long LastCheckpoint) PlanCollection()
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            var oldestLive = long.MaxValue;
            foreach (var log in _replicas.Values)
            {
                oldestLive = Math.Min(oldestLive, log.FirstLivePosition);
            }

            var count = 0;
            while (count < _segments.Count - 1 && _segments[count].LastPosition < oldestLive)
            {
                count++;
            }

            if (count == 0)
            {
                return ([], 0);
            }

            var cut = _segments[count - 1].LastPosition;
            long last = 0;
            foreach (var (id, log) in _replicas)
            {
                if (log.HardStatePosition <= cut || (log.Snapshot is not null && log.SnapshotPosition <= cut))
                {
                    last = Enqueue((id, log), static (buffer, s) =>
                        WalRecords.WriteCheckpoint(buffer, s.id, s.log.HardState, s.log.Base, s.log.Snapshot));
                    log.Checkpoint(last, log.HardState, log.Base, log.Snapshot);
                }
            }

            var doomed = _segments.GetRange(0, count);
            _segments.RemoveRange(0, count);
            // Entries written again at the head (so that these segments could go) must be durable
            // before the segments holding their first copies are deleted.
            return (doomed, Math.Max(last, _lastPosition));
        }
    }

    /// <summary>Deletes a segment's file, or keeps it as a spare for a later segment to reuse.</summary>
    private void Retire(WalSegment segment)
    {
        // Only the collector adds spares (the writer only takes them), so the count cannot grow
        // between this check and the rename.
        bool keep;
        lock (_gate)
        {
            keep = _spares.Count < _options.MaxSpareSegments;
        }

        if (!keep)
        {
            _device.Delete(segment.Name);
            return;
        }

        var spare = WalSegment.SpareNameOf(segment.Seq);
        _device.Rename(segment.Name, spare);
        lock (_gate)
        {
            _spares.Enqueue(spare);
        }
    }

    /// <summary>Starts a collection in the background after a roll (at most one runs; a request during one runs after it).</summary>
    private void ScheduleCollect()
    {
        lock (_gate)
        {
            ScheduleCollectLocked();
        }
    }

    private void ScheduleCollectLocked()
    {
        if (_stopping || _fault is not null)
        {
            return;
        }

        _collecting = _collecting.ContinueWith(
            _ => CollectQuietlyAsync(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
    }

    private async Task CollectQuietlyAsync()
    {
        try
        {
            await CollectSegmentsAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageFaultException)
        {
            // The provider has stopped; every caller learns it from its own next call.
        }
        catch (ObjectDisposedException)
        {
            // Disposed while collecting: the next start collects instead.
        }
    }
}
