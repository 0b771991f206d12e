namespace MultiRaft.Raft;

/// <summary>How reads through <see cref="RawNode.ReadIndex"/> are confirmed.</summary>
public enum ReadOnlyOption : byte
{
    /// <summary>Each read waits for a quorum to answer a heartbeat round sent after it arrived.</summary>
    Safe,

    /// <summary>
    /// A leader holding a lease (a quorum acknowledged a heartbeat within the last election
    /// timeout, less a margin) answers at once; otherwise falls back to <see cref="Safe"/>. Relies
    /// on bounded clock drift and on ticks that follow real time; requires CheckQuorum. A member
    /// started with this option refuses votes (but a transferee's) for its first election
    /// timeout, since before a restart it may have acknowledged a lease it no longer remembers.
    /// </summary>
    LeaseBased,
}

/// <summary>Settings of one group member. Validated by <see cref="Validate"/>.</summary>
public sealed class RaftConfig
{
    /// <summary>This member's id; never 0, never reused in the group.</summary>
    public ulong Id { get; set; }

    /// <summary>Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)).</summary>
    public int ElectionTick { get; set; } = 10;

    /// <summary>Ticks between a leader's heartbeats; less than <see cref="ElectionTick"/>.</summary>
    public int HeartbeatTick { get; set; } = 1;

    /// <summary>Where the member's persisted log, hard state and snapshot are read from.</summary>
    public IRaftStorage? Storage { get; set; }

    /// <summary>The last index the application had applied when it restarted (0 for a new member).</summary>
    public ulong Applied { get; set; }

    /// <summary>Bytes of entries per append message (at least one entry is always sent).</summary>
    public long MaxSizePerMsg { get; set; } = 1024 * 1024;

    /// <summary>Bytes of committed entries per <see cref="Ready"/> (0: no limit).</summary>
    public long MaxCommittedSizePerReady { get; set; }

    /// <summary>Bytes of uncommitted payload a leader accepts before refusing proposals (0: no limit).</summary>
    public long MaxUncommittedEntriesSize { get; set; }

    /// <summary>Append messages in flight to one follower.</summary>
    public int MaxInflightMsgs { get; set; } = 256;

    /// <summary>Bytes of entries in flight to one follower (0: no limit).</summary>
    public long MaxInflightBytes { get; set; }

    /// <summary>A leader steps down when it has not heard from a quorum for an election timeout.</summary>
    public bool CheckQuorum { get; set; } = true;

    /// <summary>Candidates first ask whether they could win, so a partitioned member cannot disrupt the group.</summary>
    public bool PreVote { get; set; } = true;

    /// <summary>How reads are confirmed.</summary>
    public ReadOnlyOption ReadOnlyOption { get; set; } = ReadOnlyOption.Safe;

    /// <summary>Ticks of lease a leader gives up against clock drift (lease = ElectionTick - margin).</summary>
    public int LeaseMarginTicks { get; set; } = 2;

    /// <summary>
    /// A leader whose commit advanced tells the followers that already hold every entry at its
    /// next heartbeat rather than at once with an empty append. For a group written now and then
    /// (one of thousands, mostly idle) that takes a message and its answer per follower off each
    /// write. The leader answers its proposals as before; followers apply up to a heartbeat later;
    /// reads are unaffected (the heartbeat round that confirms one carries the commit).
    /// </summary>
    public bool CommitNoticeByHeartbeat { get; set; }

    /// <summary>Followers drop proposals instead of forwarding them to the leader.</summary>
    public bool DisableProposalForwarding { get; set; }

    /// <summary>The source of election timeout jitter. Defaults to a generator seeded by <see cref="Id"/>.</summary>
    public Random? Random { get; set; }

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Id == 0)
        {
            throw new ArgumentException("RaftConfig.Id must not be 0 (0 means 'no member')");
        }

        if (HeartbeatTick <= 0)
        {
            throw new ArgumentException($"RaftConfig.HeartbeatTick must be positive (is {HeartbeatTick})");
        }

        if (ElectionTick <= HeartbeatTick)
        {
            throw new ArgumentException($"RaftConfig.ElectionTick ({ElectionTick}) must exceed HeartbeatTick ({HeartbeatTick})");
        }

        if (Storage is null)
        {
            throw new ArgumentException("RaftConfig.Storage must be set");
        }

        if (MaxInflightMsgs <= 0)
        {
            throw new ArgumentException($"RaftConfig.MaxInflightMsgs must be positive (is {MaxInflightMsgs})");
        }

        if (MaxSizePerMsg <= 0)
        {
            throw new ArgumentException($"RaftConfig.MaxSizePerMsg must be positive (is {MaxSizePerMsg})");
        }

        if (MaxInflightBytes < 0)
        {
            throw new ArgumentException($"RaftConfig.MaxInflightBytes must not be negative (is {MaxInflightBytes})");
        }

        if (MaxUncommittedEntriesSize < 0)
        {
            throw new ArgumentException($"RaftConfig.MaxUncommittedEntriesSize must not be negative (is {MaxUncommittedEntriesSize})");
        }

        if (MaxCommittedSizePerReady < 0)
        {
            throw new ArgumentException($"RaftConfig.MaxCommittedSizePerReady must not be negative (is {MaxCommittedSizePerReady})");
        }

        if (MaxInflightBytes != 0 && MaxInflightBytes < MaxSizePerMsg)
        {
            throw new ArgumentException($"RaftConfig.MaxInflightBytes ({MaxInflightBytes}) must be at least MaxSizePerMsg ({MaxSizePerMsg})");
        }

        if (ReadOnlyOption == ReadOnlyOption.LeaseBased && !CheckQuorum)
        {
            throw new ArgumentException("RaftConfig.ReadOnlyOption LeaseBased requires CheckQuorum");
        }

        if (LeaseMarginTicks < 0 || LeaseMarginTicks >= ElectionTick)
        {
            throw new ArgumentException($"RaftConfig.LeaseMarginTicks ({LeaseMarginTicks}) must be in [0, ElectionTick)");
        }
    }
}
