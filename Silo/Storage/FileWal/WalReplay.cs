using MultiRaft.Raft;

namespace MultiRaft.Storage.FileWal;

/// <summary>
/// Rebuilds every replica from the records of the surviving segments, in log order. The oldest
/// segments may be gone, so a replica's story can start in the middle: its first surviving
/// append may come after entries that were compacted away, and its hard state, log base and
/// snapshot may be restated later by a checkpoint. Applying records in order still gives the
/// contract's state, because a segment is only deleted when none of its entries is live and
/// every small record it held that still mattered was restated after it.
/// </summary>
internal sealed class WalReplay
{
    private readonly Dictionary<ReplicaId, Replica> _replicas = [];

    /// <summary>Applies one good record at <paramref name="position"/>; throws <see cref="InvalidDataException"/> if it cannot be.</summary>
    public void Apply(WalRecord record, ReadOnlySpan<byte> segment, long position)
    {
        var payload = segment.Slice(record.PayloadOffset, record.PayloadLength);
        if (record.Type == WalRecordType.Deleted)
        {
            _replicas.Remove(record.Replica);
            return;
        }

        if (!_replicas.TryGetValue(record.Replica, out var r))
        {
            r = new Replica(new ReplicaLog(position));
            _replicas.Add(record.Replica, r);
        }

        switch (record.Type)
        {
            case WalRecordType.Append:
                var (hs, first, entries) = WalPayloads.ReadAppend(payload);
                r.Append(first, entries);
                r.Log.Append(position, hs, first, entries.Length);
                break;
            case WalRecordType.SnapshotSaved:
                r.Log.SnapshotSaved(position, WalPayloads.ReadSnapshot(payload));
                break;
            case WalRecordType.SnapshotInstalled:
                r.Entries.Clear();
                r.Log.SnapshotInstalled(position, WalPayloads.ReadSnapshot(payload));
                break;
            case WalRecordType.Compacted:
                r.Log.Compacted(WalPayloads.ReadIndex(payload));
                break;
            case WalRecordType.Checkpoint:
                var (cpHardState, cpBase, cpSnapshot) = WalPayloads.ReadCheckpoint(payload);
                r.Log.Checkpoint(position, cpHardState, cpBase, cpSnapshot);
                break;
            default:
                throw new InvalidDataException($"record type {record.Type} cannot be replayed");
        }

        r.DropDead();
    }

    /// <summary>
    /// The recovered replicas (snapshots read from their files) and their tracking state, which
    /// the provider keeps using. After a restart a replica's log begins at its snapshot, as the
    /// recovered view does, so the base moves up to it.
    /// </summary>
    public (List<RecoveredReplica> Recovered, Dictionary<ReplicaId, ReplicaLog> Logs) Build(IWalDevice device)
    {
        var recovered = new List<RecoveredReplica>(_replicas.Count);
        var logs = new Dictionary<ReplicaId, ReplicaLog>(_replicas.Count);
        foreach (var (id, r) in _replicas.OrderBy(kv => kv.Key))
        {
            r.Log.Compacted(r.Log.LiveBase);
            r.DropDead(all: true);
            if (r.Entries.Count > 0 && r.Entries[0].Index != r.Log.LiveBase + 1)
            {
                throw new StorageCorruptionException(
                    $"{id}: the log in {device.Location} holds entries from {r.Entries[0].Index} but the replica's base is {r.Log.LiveBase}");
            }

            var snapshot = r.Log.Snapshot is { } pointer ? SnapshotFiles.Read(device, id, pointer) : null;
            recovered.Add(new RecoveredReplica(id, r.Log.HardState, snapshot, r.Entries.ToArray()));
            logs.Add(id, r.Log);
        }

        return (recovered, logs);
    }

    /// <summary>One replica being rebuilt: its tracking state and its live entries.</summary>
    private sealed class Replica(ReplicaLog log)
    {
        public ReplicaLog Log { get; } = log;

        public List<Entry> Entries { get; } = [];

        public void Append(ulong first, Entry[] entries)
        {
            if (entries.Length == 0)
            {
                return;
            }

            if (Entries.Count == 0 || first <= Entries[0].Index)
            {
                Entries.Clear();
            }
            else
            {
                var last = Entries[^1].Index;
                if (first > last + 1)
                {
                    throw new InvalidDataException($"entries from {first} leave a gap after {last}");
                }

                Entries.RemoveRange((int)(first - Entries[0].Index), (int)(last + 1 - first));
            }

            Entries.AddRange(entries);
        }

        /// <summary>Forgets entries the snapshot or compaction covers, once they outnumber the rest (amortized).</summary>
        public void DropDead(bool all = false)
        {
            var live = Log.LiveBase;
            var dead = 0;
            if (Entries.Count > 0 && Entries[0].Index <= live)
            {
                dead = (int)Math.Min((ulong)Entries.Count, live - Entries[0].Index + 1);
            }

            if (dead > 0 && (all || dead * 2 >= Entries.Count))
            {
                Entries.RemoveRange(0, dead);
            }
        }
    }
}
