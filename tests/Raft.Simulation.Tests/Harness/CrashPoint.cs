namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// Where in the processing of one Ready a scheduled crash strikes. The phases follow the
/// persistence contract: Messages may leave before anything is durable, PersistedMessages only
/// after the fsync, and Advance only after everything is applied.
/// </summary>
public enum CrashPoint : byte
{
    /// <summary>Messages were sent; nothing of the Ready was written.</summary>
    AfterSend,

    /// <summary>The Ready was written to the (volatile) page cache but not fsynced.</summary>
    AfterWrite,

    /// <summary>The writes are durable; PersistedMessages were not sent.</summary>
    AfterFsync,

    /// <summary>PersistedMessages were sent; committed entries were not applied.</summary>
    AfterPersistedSend,

    /// <summary>Committed entries were applied; Advance was not called.</summary>
    AfterApply,
}
