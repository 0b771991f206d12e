namespace MultiRaft.Storage;

/// <summary>
/// A provider whose log files are freed only once no replica needs anything in them (the file
/// WAL). A replica that never compacts (an idle shard: a few entries, far from its snapshot
/// threshold) would hold the oldest file, and with it every later one, for as long as it lives:
/// the log would grow without bound, and a restart would read all of it. Such a replica's owner
/// writes its live entries again at the log's head (<see cref="ReplicaStore.Relocate"/>) or, for a
/// longer log, takes a snapshot, after which the old file can go.
/// </summary>
public interface ILogHoldBacks
{
    /// <summary>
    /// The replicas (at most <paramref name="max"/>) whose oldest live entry lies in the oldest
    /// sealed log file, each with its count of live entries; empty when no sealed file is held
    /// back. When the oldest sealed file is held back by nothing any more, its deletion is started.
    /// </summary>
    IReadOnlyList<(ReplicaId Replica, ulong LiveEntries)> HoldingBackOldest(int max);
}
