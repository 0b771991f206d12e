namespace MultiRaft.Raft;

/// <summary>
/// One member's consensus state machine. Pure: it changes only when stepped, ticked or told
/// that a write is durable, and it says what to persist and send through lists the
/// <see cref="RawNode"/> hands out in a <see cref="Ready"/>. Roles are switched by swapping
/// the step and tick functions, not by subclassing.
/// </summary>
internal sealed partial class Raft
{
    private readonly long _maxMsgSize;
    private readonly long _maxUncommittedSize;
    private readonly int _heartbeatTimeout;
    private readonly int _electionTimeout;
    private readonly bool _checkQuorum;
    private readonly bool _preVote;
    private readonly bool _disableProposalForwarding;
    private readonly ReadOnlyOption _readOnlyOption;
    private readonly int _leaseMarginTicks;
    private readonly Random? _random;

    // The election timeout's jitter when no Random is configured (SplitMix64): eight bytes where a
    // seeded Random holds a 56-int table, some 300 bytes for each of a silo's thousands of members.
    private ulong _jitter;

    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;

    // The leader's index of the last pending membership change; none may be proposed until
    // the application has applied up to it.
    private ulong _pendingConfIndex;

    // Payload bytes appended by this leader and not yet committed and applied.
    private long _uncommittedSize;

    public Raft(RaftConfig c)
    {
        c.Validate();
        Id = c.Id;
        _maxMsgSize = c.MaxSizePerMsg;
        _maxUncommittedSize = c.MaxUncommittedEntriesSize == 0 ? long.MaxValue : c.MaxUncommittedEntriesSize;
        _heartbeatTimeout = c.HeartbeatTick;
        _electionTimeout = c.ElectionTick;
        _checkQuorum = c.CheckQuorum;
        _preVote = c.PreVote;
        _disableProposalForwarding = c.DisableProposalForwarding;
        _readOnlyOption = c.ReadOnlyOption;
        _commitNoticeByHeartbeat = c.CommitNoticeByHeartbeat;
        _leaseMarginTicks = c.LeaseMarginTicks;
        _random = c.Random;
        _jitter = c.Id * 0x9E3779B97F4A7C15UL;

        var storage = c.Storage!;
        Log = new RaftLog(storage, c.MaxCommittedSizePerReady);
        Tracker = new ProgressTracker(c.MaxInflightMsgs, c.MaxInflightBytes);
        var (hs, cs) = storage.InitialState();
        ConfigureFrom(cs);

        if (!hs.IsEmpty)
        {
            if (hs.Commit > Log.LastIndex)
            {
                throw new RaftInvariantException(
                    $"persisted commit {hs.Commit} is beyond the persisted log (last index {Log.LastIndex})");
            }

            // A commit below the snapshot is fine: a commit-only hard state need not be synced
            // (Ready.MustSync), so a crash may lose it after a snapshot was made; the snapshot
            // holds only committed entries, so commit is at least its index.
            Log.CommitTo(hs.Commit);
            Term = hs.Term;
            Vote = hs.Vote;
        }

        if (c.Applied > 0)
        {
            Log.AppliedTo(Math.Min(c.Applied, Log.Committed));
        }

        BecomeFollower(Term, 0);
    }

    public ulong Id { get; }

    public ulong Term { get; private set; }

    /// <summary>Whom this member voted for in <see cref="Term"/> (0: nobody).</summary>
    public ulong Vote { get; private set; }

    public ulong Lead { get; private set; }

    public RaftRole Role { get; private set; }

    public bool IsLearner { get; private set; }

    public ulong LeadTransferee { get; private set; }

    public RaftLog Log { get; }

    public ProgressTracker Tracker { get; }

    /// <summary>Messages that may be sent at once, even before this round's writes are durable.</summary>
    public List<Message> Msgs { get; set; } = [];

    /// <summary>Messages that may be sent only once this round's writes are durable (some to self).</summary>
    public List<Message> MsgsAfterAppend { get; set; } = [];

    public List<ReadState> ReadStates { get; set; } = [];

    /// <summary>Ticks seen since start; the lease clock.</summary>
    public ulong Ticks { get; private set; }

    public HardState HardState => new(Term, Vote, Log.Committed);

    public SoftState SoftState => new(Lead, Role);

    /// <summary>Whether this member may campaign.</summary>
    public bool Promotable => Tracker.Get(Id) is { IsLearner: false } && !Log.HasPendingSnapshot;

    public void Tick()
    {
        if (Quiesced)
        {
            return;
        }

        Ticks++;
        if (Role == RaftRole.Leader)
        {
            TickHeartbeat();
        }
        else
        {
            TickElection();
        }
    }

    /// <summary>
    /// Steps one message. Term handling is common to every role (§5.1: a higher term makes us a
    /// follower; a lower one is answered or ignored); the rest is the role's step function.
    /// </summary>
    public ProposalResult Step(Message m)
    {
        if (Quiesced && WakesQuiesced(m))
        {
            Wake(heartbeat: m.Type != MessageType.Propose);
        }

        if (m.Term == 0)
        {
            // Local message (or a forwarded proposal, which carries no term).
        }
        else if (m.Term > Term)
        {
            if (m.Type is MessageType.Vote or MessageType.PreVote)
            {
                var force = (m.Flags & MessageFlags.Transfer) != 0;
                if (!force && InLease)
                {
                    // We heard from a leader within the election timeout (§6 of the thesis:
                    // leases and disruptive servers); neither raise our term nor vote.
                    return ProposalResult.Accepted;
                }
            }

            switch (m.Type)
            {
                case MessageType.PreVote:
                    // Never change our term in answer to a pre-vote.
                    break;
                case MessageType.PreVoteResponse when !m.Reject:
                    // The pre-candidate raises its term only once a quorum granted.
                    break;
                default:
                    BecomeFollower(m.Term,
                        m.Type is MessageType.Append or MessageType.Heartbeat or MessageType.Snapshot ? m.From : 0);
                    break;
            }
        }
        else if (m.Term < Term)
        {
            if ((_checkQuorum || _preVote) && m.Type is MessageType.Heartbeat or MessageType.Append)
            {
                // A stale leader (for example one healed from a partition) learns our term and
                // steps down; without this it could keep heartbeating a group that ignores it.
                Send(new Message { Type = MessageType.AppendResponse, To = m.From });
            }
            else if (m.Type == MessageType.PreVote)
            {
                Send(new Message { Type = MessageType.PreVoteResponse, To = m.From, Term = Term, Reject = true });
            }

            return ProposalResult.Accepted;
        }

        switch (m.Type)
        {
            case MessageType.Hup:
                Hup(transfer: false);
                return ProposalResult.Accepted;
            case MessageType.Vote:
            case MessageType.PreVote:
                HandleVoteRequest(m);
                return ProposalResult.Accepted;
            case MessageType.VoteResponse:
            case MessageType.PreVoteResponse:
                LearnCommitFromRefusal(m);
                return StepByRole(m);
            default:
                return StepByRole(m);
        }
    }

    // A switch, not a delegate field per role: five delegates cost each member 320 bytes.
    private ProposalResult StepByRole(Message m) => Role switch
    {
        RaftRole.Leader => StepLeader(m),
        RaftRole.Follower => StepFollower(m),
        _ => StepCandidate(m),
    };

    /// <summary>
    /// Whether a message ends quiescence: anything that asks something of the group does; the
    /// quiesce heartbeat and the answers to it do not (or the group could never stay quiet), nor
    /// does the transport's report that a member is unreachable (a leader that quiesced without a
    /// member that is down is told so for its quiesce heartbeat, and would wake on every tick).
    /// </summary>
    private static bool WakesQuiesced(Message m) => m.Type switch
    {
        MessageType.Beat or MessageType.CheckQuorum or MessageType.HeartbeatResponse or MessageType.Unreachable => false,
        MessageType.Heartbeat => (m.Flags & MessageFlags.Quiesce) == 0,
        _ => true,
    };

    /// <summary>
    /// Queues a message. Answers that depend on what this round persists (accepted appends and
    /// votes) wait until the write is durable; everything else may go at once.
    /// </summary>
    private void Send(Message m)
    {
        m.From = Id;
        if (m.Type is not (MessageType.Vote or MessageType.VoteResponse or MessageType.PreVote
            or MessageType.PreVoteResponse or MessageType.Propose))
        {
            m.Term = Term;
        }

        if (m.Type is MessageType.AppendResponse or MessageType.VoteResponse or MessageType.PreVoteResponse)
        {
            MsgsAfterAppend.Add(m);
        }
        else
        {
            Msgs.Add(m);
        }
    }

    /// <summary>
    /// Whether this member refuses to help elect anyone (but a transferee): it heard from a leader
    /// within the election timeout. With lease reads, a member that just started also refuses
    /// for one election timeout, since it may have acknowledged a lease it no longer remembers.
    /// </summary>
    private bool InLease =>
        _checkQuorum
        && ((Lead != 0 && _electionElapsed < _electionTimeout)
            || (_readOnlyOption == ReadOnlyOption.LeaseBased && Ticks < (ulong)_electionTimeout));

    private void Reset(ulong term)
    {
        if (Term != term)
        {
            Term = term;
            Vote = 0;
        }

        Lead = 0;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        ResetRandomizedElectionTimeout();
        AbortLeaderTransfer();
        Tracker.ResetVotes();
        foreach (var id in Tracker.Ids)
        {
            var pr = Tracker.Progress[id];
            pr.Match = 0;
            pr.Next = Log.LastIndex + 1;
            pr.ResetState(ProgressState.Probe);
            pr.RecentActive = id == Id;
            pr.AckedRound = 0;
            pr.CommitToldIndex = 0;
            pr.QuietToldIndex = 0;
        }

        _pendingConfIndex = 0;
        _uncommittedSize = 0;
        _appendPending = false;
        _emptyAppendsOwed = false;
        ResetReads();
        Quiesced = false;
    }

    private void ResetRandomizedElectionTimeout() =>
        _randomizedElectionTimeout = _electionTimeout + (_random?.Next(_electionTimeout) ?? NextJitter(_electionTimeout));

    private int NextJitter(int below)
    {
        var z = _jitter += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z % (ulong)below);
    }

    private bool PastElectionTimeout => _electionElapsed >= _randomizedElectionTimeout;

    public override string ToString() =>
        $"{Id} {Role} term={Term} vote={Vote} lead={Lead} commit={Log.Committed} applied={Log.Applied} last={Log.LastIndex}";
}
