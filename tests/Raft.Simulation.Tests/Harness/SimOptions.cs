namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// Settings of one simulated group. Time is counted in simulated milliseconds; every
/// <see cref="TickMs"/> each live member ticks once.
/// </summary>
public sealed class SimOptions
{
    /// <summary>The seed of the run's only source of randomness.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Members created at the start, with ids 1..Nodes.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>Simulated milliseconds per tick.</summary>
    public int TickMs { get; init; } = 10;

    public int ElectionTick { get; init; } = 10;

    public int HeartbeatTick { get; init; } = 1;

    public bool CheckQuorum { get; init; } = true;

    public bool PreVote { get; init; } = true;

    public ReadOnlyOption ReadOnlyOption { get; init; } = ReadOnlyOption.Safe;

    /// <summary>RaftConfig.CommitNoticeByHeartbeat: followers learn a commit from the next heartbeat (as the silos run).</summary>
    public bool CommitNoticeByHeartbeat { get; init; }

    /// <summary>
    /// Leaders try to quiesce before every tick, as a silo does once a group has been idle for
    /// a tick (its default): whenever every member holds the log the group goes quiet, with an
    /// unanswered quiesce heartbeat that may be lost, so that quiescing and waking, and members
    /// left awake by a lost one, happen all the time.
    /// </summary>
    public bool QuiesceEachTick { get; init; }

    public long MaxSizePerMsg { get; init; } = 1024 * 1024;

    public int MaxInflightMsgs { get; init; } = 256;

    public long MaxInflightBytes { get; init; }

    public long MaxUncommittedEntriesSize { get; init; }

    /// <summary>Each member snapshots and compacts its log every this many applied entries (0: never).</summary>
    public int SnapshotEvery { get; init; }

    /// <summary>Bytes of each client payload (at least 8: the unique id).</summary>
    public int PayloadSize { get; init; } = 16;

    /// <summary>Per-message delivery delay, uniform in [min, max] milliseconds.</summary>
    public int MinDelayMs { get; init; }

    public int MaxDelayMs { get; init; } = 1;

    /// <summary>Whether the invariants are checked after every step (always on outside benchmarks).</summary>
    public bool CheckInvariants { get; init; } = true;

    /// <summary>
    /// A disk that acknowledges fsync without making anything durable. Only for showing that the
    /// checker catches the resulting violations; never set in a real scenario.
    /// </summary>
    public bool DiskIgnoresFsync { get; init; }
}
