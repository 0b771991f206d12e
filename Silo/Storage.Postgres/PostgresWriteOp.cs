using MultiRaft.Raft;

namespace MultiRaft.Storage.Postgres;

/// <summary>One queued change to one replica, written in order within its batch's transaction.</summary>
internal abstract record PostgresWriteOp(ReplicaId Replica);

/// <summary>New entries (a private copy) and hard state; entries replace the stored tail from their first index.</summary>
internal sealed record AppendOp(ReplicaId Replica, HardState? HardState, Entry[] Entries) : PostgresWriteOp(Replica);

/// <summary>A snapshot the replica made; replaces an older saved one, keeps the entries.</summary>
internal sealed record SaveSnapshotOp(ReplicaId Replica, Snapshot Snapshot) : PostgresWriteOp(Replica);

/// <summary>A snapshot from the leader; replaces the snapshot and the whole log.</summary>
internal sealed record InstallSnapshotOp(ReplicaId Replica, Snapshot Snapshot) : PostgresWriteOp(Replica);

/// <summary>Drops entries up to and including <see cref="Index"/>.</summary>
internal sealed record CompactOp(ReplicaId Replica, ulong Index) : PostgresWriteOp(Replica);

/// <summary>Drops every row of the replica.</summary>
internal sealed record DeleteReplicaOp(ReplicaId Replica) : PostgresWriteOp(Replica);
