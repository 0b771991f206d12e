using MultiRaft.Raft;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// Rebuilds every replica from the records of the surviving segments, in log order, in two
/// passes. The oldest segments may be gone, so a replica's story can start in the middle: its
/// first surviving append may come after entries that were compacted away, and its hard state,
/// log base and snapshot may be restated later by a checkpoint. Applying records in order still
/// gives the contract's state, because a segment is only deleted when none of its entries is
/// live and every small record it held that still mattered was restated after it.
/// </summary>
/// <remarks>
/// The first pass (<see cref="Apply"/>) reads every record but decodes no entry: it leaves each
/// replica's <see cref="ReplicaLog"/>, whose runs say which record holds each live entry. The
/// second (<see cref="Plan"/>, then <see cref="Take"/>) decodes just those entries, each into
/// its place in the replica's array. Most entries in a log's segments are dead by the end
/// (compacted behind a snapshot, or overwritten): a restarted 10,000-replica silo decoded and
/// copied 300 MB of them in one pass, and collecting that garbage was most of its recovery time.
/// </remarks>
internal sealed class WalReplay
{
    private readonly Dictionary<ReplicaId, ReplicaLog> _logs = [];
    private LiveRecord[] _live = [];
    private int _taken;

    /// <summary>First pass: applies one good record at <paramref name="position"/> to its replica's log shape; throws <see cref="InvalidDataException"/> if it cannot be.</summary>
    public void Apply(WalRecord record, ReadOnlySpan<byte> segment, long position)
    {
        var payload = segment.Slice(record.PayloadOffset, record.PayloadLength);
        if (record.Type == WalRecordType.Deleted)
        {
            _logs.Remove(record.Replica);
            return;
        }

        if (!_logs.TryGetValue(record.Replica, out var log))
        {
            log = new ReplicaLog(position);
            _logs.Add(record.Replica, log);
        }

        switch (record.Type)
        {
            case WalRecordType.Append:
                var (hs, first, count) = WalPayloads.ReadAppendShape(payload);
                if (count > 0 && log.HasLiveEntries && first > log.LastIndex + 1)
                {
                    throw new InvalidDataException($"entries from {first} leave a gap after {log.LastIndex}");
                }

                log.Append(position, hs, first, count);
                break;
            case WalRecordType.SnapshotSaved:
                log.SnapshotSaved(position, WalPayloads.ReadSnapshot(payload));
                break;
            case WalRecordType.SnapshotInstalled:
                log.SnapshotInstalled(position, WalPayloads.ReadSnapshot(payload));
                break;
            case WalRecordType.Compacted:
                log.Compacted(WalPayloads.ReadIndex(payload));
                break;
            case WalRecordType.Checkpoint:
                var (cpHardState, cpBase, cpSnapshot) = WalPayloads.ReadCheckpoint(payload);
                log.Checkpoint(position, cpHardState, cpBase, cpSnapshot);
                break;
            default:
                throw new InvalidDataException($"record type {record.Type} cannot be replayed");
        }
    }

    /// <summary>
    /// Between the passes: every replica with its live entries' array (not yet filled), in replica
    /// order, and the positions of the records the second pass must decode, in log order. After a
    /// restart a replica's log begins at its snapshot, as the recovered view does, so the base
    /// moves up to it.
    /// </summary>
    public (List<(ReplicaId Id, ReplicaLog Log, Entry[] Entries)> Replicas, long[] LiveRecords) Plan(IWalDevice device)
    {
        var replicas = new List<(ReplicaId, ReplicaLog, Entry[])>(_logs.Count);
        var live = new List<LiveRecord>();
        foreach (var (id, log) in _logs.OrderBy(kv => kv.Key))
        {
            log.Compacted(log.LiveBase);
            var from = log.LiveBase + 1;
            var runs = log.Runs;
            // Checked before the array is sized: the runs then cover every live index, and each
            // was read from a record, so the count is no larger than the records hold.
            if (log.LastIndex >= from && (runs.Count == 0 || runs[0].First > from))
            {
                throw new StorageCorruptionException(
                    $"{id}: the log in {device.Location} holds entries from {(runs.Count == 0 ? log.LastIndex + 1 : runs[0].First)} but the replica's base is {log.LiveBase}");
            }

            var entries = log.LastIndex >= from ? new Entry[checked((int)(log.LastIndex - from + 1))] : [];

            for (var k = 0; k < runs.Count; k++)
            {
                var start = Math.Max(runs[k].First, from);
                var end = k + 1 < runs.Count ? runs[k + 1].First - 1 : log.LastIndex;
                live.Add(new LiveRecord(runs[k].Position, start, end, entries, (int)(start - from)));
            }

            replicas.Add((id, log, entries));
        }

        // Sorted by key, with an index per record rather than the 40-byte records themselves (or a
        // comparison delegate): a restarted 10,000-replica silo has half a million live records,
        // and the delegate sort was a seventh of its recovery.
        var positions = new long[live.Count];
        var order = new int[live.Count];
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = live[i].Position;
            order[i] = i;
        }

        Array.Sort(positions, order);
        _live = new LiveRecord[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            _live[i] = live[order[i]];
        }

        _taken = 0;
        return (replicas, positions);
    }

    /// <summary>
    /// Second pass: if the record at <paramref name="position"/> holds live entries, decodes them
    /// into their replica's array. Records come in log order.
    /// </summary>
    public void Take(WalRecord record, ReadOnlySpan<byte> segment, long position)
    {
        if (_taken == _live.Length || _live[_taken].Position != position)
        {
            return;
        }

        var need = _live[_taken++];
        if (record.Type != WalRecordType.Append)
        {
            throw new InvalidDataException($"record type {record.Type} read where the log's shape has entries {need.From} to {need.To}");
        }

        WalPayloads.ReadAppendEntries(segment.Slice(record.PayloadOffset, record.PayloadLength), need.From, need.To, need.Into, need.Offset);
    }

    /// <summary>Whether the second pass has met every record it planned to.</summary>
    public bool TookAll => _taken == _live.Length;

    // A record that holds live entries: which of them, and where they go.
    private readonly record struct LiveRecord(long Position, ulong From, ulong To, Entry[] Into, int Offset);
}
