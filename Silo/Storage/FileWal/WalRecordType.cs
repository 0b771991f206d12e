namespace MultiRaft.Storage.FileWal;

/// <summary>What a WAL record means. Zero is never a type, so zeroed space never parses.</summary>
internal enum WalRecordType : byte
{
    /// <summary>A replica's entries (replacing its stored entries from the first one on) and optional hard state.</summary>
    Append = 1,

    /// <summary>A snapshot the replica made of its own state, stored in a named file; entries are kept.</summary>
    SnapshotSaved = 2,

    /// <summary>A snapshot received from a leader, stored in a named file; it replaces the replica's log.</summary>
    SnapshotInstalled = 3,

    /// <summary>The replica no longer needs entries up to an index.</summary>
    Compacted = 4,

    /// <summary>The replica moved off this silo: forget it.</summary>
    Deleted = 5,

    /// <summary>A replica's small state (hard state, log base, snapshot pointer) copied forward so an old segment can go.</summary>
    Checkpoint = 6,

    /// <summary>The last record of a full segment: every segment but the newest must end with one.</summary>
    Seal = 7,
}
