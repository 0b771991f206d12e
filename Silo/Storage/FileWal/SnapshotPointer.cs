namespace MultiRaft.Storage.FileWal;

/// <summary>What the WAL keeps of a snapshot: its position in the log and the file holding it.</summary>
internal sealed record SnapshotPointer(ulong Index, ulong Term, string File);
