using MultiRaft.Raft;

namespace MultiRaft.Storage;

/// <summary>
/// What a provider recovered for one replica: its hard state, its latest snapshot (null if
/// none), and its entries after that snapshot, contiguous and in order.
/// </summary>
public sealed record RecoveredReplica(ReplicaId Replica, HardState HardState, Snapshot? Snapshot, IReadOnlyList<Entry> Entries);
