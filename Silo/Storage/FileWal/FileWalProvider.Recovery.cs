using MultiRaft.Raft;

namespace MultiRaft.Storage.FileWal;

/// <summary>Opening the log: replay, torn-tail repair, clean-up of files nothing points at.</summary>
public sealed partial class FileWalProvider
{
    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecoveredReplica>> RecoverAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_recovered || _stopping)
            {
                throw new InvalidOperationException("FileWalProvider: RecoverAsync runs once, before anything else");
            }
        }

        cancellationToken.ThrowIfCancellationRequested();

        // The directory is taken before anything in it is read (here, or before by Claim), and
        // outside the fail-stop handling below: a directory held by another silo is no storage
        // fault, and its StorageLockedException must reach the caller as it is. Refused, the
        // provider holds nothing and has not stopped, so the open can be tried again once the
        // other has gone.
        IDisposable? held;
        lock (_gate)
        {
            held = _directoryLock;
            _directoryLock = null;
        }

        held ??= _device.Lock();
        try
        {
            var recovered = Recover();
            lock (_gate)
            {
                _recovered = true;
                _directoryLock = held;
                held = null;
            }

            StartWriter();
            return ValueTask.FromResult<IReadOnlyList<RecoveredReplica>>(recovered);
        }
        catch (StorageFaultException e)
        {
            Fail(e);
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fail(e);
        }
        finally
        {
            // A provider whose recovery failed is stopped and never touches the directory again,
            // so it lets go at once: the silo can be started again in this process even if its
            // caller never disposes the failed provider.
            held?.Dispose();
        }
    }

    /// <inheritdoc />
    public void Claim()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_recovered || _directoryLock is not null)
            {
                return;
            }
        }

        var held = _device.Lock();
        lock (_gate)
        {
            if (!_stopping && _directoryLock is null)
            {
                _directoryLock = held;
                return;
            }
        }

        // Disposed while this thread took the lock. (A second claim in this process cannot get
        // here: the lock is per open file, so it fails in Lock itself.)
        held.Dispose();
        ObjectDisposedException.ThrowIf(_stopping, this);
    }

    private List<RecoveredReplica> Recover()
    {
        var names = _device.List();
        var seqs = new List<ulong>();
        foreach (var name in names)
        {
            if (name.EndsWith(SnapshotFiles.TempSuffix, StringComparison.Ordinal))
            {
                _device.Delete(name); // a snapshot whose write never completed; nothing points at it
            }
            else if (WalSegment.TryParse(name, out var seq))
            {
                seqs.Add(seq);
            }
            else if (WalSegment.IsSpare(name))
            {
                if (_spares.Count < _options.MaxSpareSegments)
                {
                    _spares.Enqueue(name);
                }
                else
                {
                    _device.Delete(name);
                }
            }
        }

        seqs.Sort();
        DropDeletedPrefix(seqs);

        var replay = new WalReplay();
        long position = 0;
        var newestEnd = 0;
        var newestSealed = true;
        // One buffer for every segment, in turn (replay copies what it keeps): a silo restarted
        // after heavy writes read two or more full 64 MB segments, each into an array of its own,
        // and every such array is large-object garbage that costs the start a full collection.
        byte[]? buffer = null;
        for (var i = 0; i < seqs.Count; i++)
        {
            var segment = new WalSegment(seqs[i], position + 1);
            var newest = i == seqs.Count - 1;
            var (result, last, length) = ReplaySegment(segment, newest, ref buffer, replay.Apply);
            position = last;
            segment.LastPosition = position;
            _segments.Add(segment);
            if (newest)
            {
                newestEnd = result.End;
                newestSealed = result.Sealed;
                if (result.DirtyTail)
                {
                    ZeroTail(segment.Name, result.End, length);
                }
            }
        }

        var (replicas, live) = replay.Plan(_device);
        // A replica's snapshot is a file of its own: ten thousand replicas are ten thousand opens
        // and reads, done beside the second pass (the start has the machine's other core to spare).
        var reading = Task.Run(() => ReadSnapshots(replicas));
        try
        {
            TakeLiveEntries(replay, live, ref buffer);
        }
        finally
        {
            // Nothing may read the directory once recovery has failed and let it go (and on
            // success the snapshots are needed next).
            WaitQuietly(reading);
        }

        var snapshots = reading.GetAwaiter().GetResult();
        var recovered = new List<RecoveredReplica>(replicas.Count);
        var logs = new Dictionary<ReplicaId, ReplicaLog>(replicas.Count);
        for (var i = 0; i < replicas.Count; i++)
        {
            var (id, log, entries) = replicas[i];
            recovered.Add(new RecoveredReplica(id, log.HardState, snapshots[i], entries));
            logs.Add(id, log);
        }

        DeleteUnreferencedSnapshots(names, logs.Values);
        _replicas = logs;
        _lastPosition = position;
        _durablePosition = position;

        if (newestSealed)
        {
            var next = seqs.Count == 0 ? 1 : seqs[^1] + 1;
            _head = OpenNewSegment(next, position + 1);
            _headOffset = 0;
        }
        else
        {
            _head = _device.Open(_segments[^1].Name);
            _headOffset = newestEnd;
        }

        return recovered;
    }

    private Snapshot?[] ReadSnapshots(List<(ReplicaId Id, ReplicaLog Log, Entry[] Entries)> replicas)
    {
        var snapshots = new Snapshot?[replicas.Count];
        for (var i = 0; i < snapshots.Length; i++)
        {
            var (id, log, _) = replicas[i];
            snapshots[i] = log.Snapshot is { } pointer ? SnapshotFiles.Read(_device, id, pointer) : null;
        }

        return snapshots;
    }

    private static void WaitQuietly(Task task)
    {
        try
        {
            task.Wait();
        }
        catch (AggregateException)
        {
            // Reported by whoever reads the task's result, unless an error is already on its way.
        }
    }

    /// <summary>
    /// Recovery's second pass: reads again the segments that hold live entries (<paramref name="live"/>,
    /// the records' positions in log order) and has the replay decode them. The first pass checked
    /// every record, so these scans find the same ones.
    /// </summary>
    private void TakeLiveEntries(WalReplay replay, long[] live, ref byte[]? buffer)
    {
        var next = 0;
        for (var i = 0; i < _segments.Count && next < live.Length; i++)
        {
            var segment = _segments[i];
            if (live[next] > segment.LastPosition)
            {
                continue;
            }

            ReplaySegment(segment, newest: i == _segments.Count - 1, ref buffer, replay.Take);
            while (next < live.Length && live[next] <= segment.LastPosition)
            {
                next++;
            }
        }

        if (!replay.TookAll)
        {
            throw new StorageCorruptionException($"the log in {_device.Location} changed while it was recovered: a record holding live entries was not found again");
        }
    }

    // Reads the segment and hands each good record to `step`, numbered on from the segment's first
    // position (both passes number records alike); a record the step cannot use is corruption at
    // its offset. Returns the scan's result, the last record's position and the segment's length.
    private (SegmentScanner.Result Result, long LastPosition, int Length) ReplaySegment(
        WalSegment segment, bool newest, ref byte[]? buffer, ReplayStep step)
    {
        var path = Path.Combine(_device.Location, segment.Name);
        var bytes = ReadAll(segment.Name, path, ref buffer);
        var position = segment.FirstPosition - 1;
        var result = SegmentScanner.Scan(bytes, segment.Seq, newest, path, record =>
        {
            try
            {
                step(record, bytes, ++position);
            }
            catch (InvalidDataException e)
            {
                throw new StorageCorruptionException(path, record.Offset, e.Message);
            }
        });
        return (result, position, bytes.Count);
    }

    private delegate void ReplayStep(WalRecord record, ReadOnlySpan<byte> segment, long position);

    /// <summary>
    /// Segments are deleted oldest first, but the deletions may reach the disk in any order; a
    /// gap in the numbers means everything before it was deleted (a crash undid only part of it).
    /// </summary>
    private void DropDeletedPrefix(List<ulong> seqs)
    {
        var start = seqs.Count - 1;
        while (start > 0 && seqs[start - 1] == seqs[start] - 1)
        {
            start--;
        }

        for (var i = 0; i < start; i++)
        {
            _device.Delete(WalSegment.NameOf(seqs[i]));
        }

        seqs.RemoveRange(0, Math.Max(start, 0));
    }

    // The segment's bytes, read into `buffer` (grown to fit, kept for the next segment).
    private ArraySegment<byte> ReadAll(string name, string path, ref byte[]? buffer)
    {
        using var file = _device.Open(name);
        var length = file.Length;
        if (length > Array.MaxLength)
        {
            throw new StorageCorruptionException(path, 0, $"segment of {length} bytes is larger than any this log writes");
        }

        if (buffer is null || buffer.Length < length)
        {
            buffer = new byte[length];
        }

        var read = file.Read(0, buffer.AsSpan(0, (int)length));
        return new ArraySegment<byte>(buffer, 0, read);
    }

    /// <summary>Zeroes a torn tail so that no later recovery can mistake its bytes for anything.</summary>
    private void ZeroTail(string name, long from, long to)
    {
        using var file = _device.Open(name);
        var zeroes = new byte[64 * 1024];
        for (var at = from; at < to; at += zeroes.Length)
        {
            file.Write(at, zeroes.AsSpan(0, (int)Math.Min(zeroes.Length, to - at)));
        }

        file.Sync();
    }

    /// <summary>Snapshot files left by a crash between writing one and logging (or superseding) it.</summary>
    private void DeleteUnreferencedSnapshots(IReadOnlyList<string> names, IEnumerable<ReplicaLog> logs)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var log in logs)
        {
            if (log.Snapshot is { } s)
            {
                referenced.Add(s.File);
            }
        }

        foreach (var name in names)
        {
            if (SnapshotFiles.IsSnapshot(name) && !referenced.Contains(name))
            {
                _device.Delete(name);
            }
        }
    }
}
