namespace MultiRaft.Raft;

/// <summary>
/// Linearizable reads (thesis §6.4). Every heartbeat broadcast is a numbered round; a read
/// waits for a quorum to acknowledge a round sent after it arrived, so one round confirms every
/// read that came before it. A lease (a quorum acknowledged a round sent less than an election
/// timeout ago, less a margin) lets the leader answer at once.
/// </summary>
internal sealed partial class Raft
{
    private const int RoundRing = 64;

    // The tick each of the last RoundRing rounds was sent at, for leases only: allocated by a
    // lease-based leader's first round, released when no round in it can grant a lease again.
    private ulong[]? _roundSentTick;
    private readonly Queue<PendingRead> _pendingReads = new();
    private readonly List<Message> _pendingReadIndexMessages = [];

    // Rounds sent in this term, and the newest one a quorum acknowledged.
    private ulong _round;
    private ulong _quorumRound;

    // The newest round whose heartbeats the application has taken (in a Ready). A round not yet
    // taken has not left this member, so a read arriving now may still be confirmed by it.
    private ulong _handedOutRound;

    // Acknowledgements of rounds at or below this do not grant a lease (set on quiesce and wake).
    private ulong _leaseFloorRound;
    private bool _leaseDisabled;

    private readonly record struct PendingRead(ulong Index, ulong From, ulong RequestId, ulong Round);

    /// <summary>Whether the leader may answer reads from its lease right now.</summary>
    public bool LeaseValid =>
        _readOnlyOption == ReadOnlyOption.LeaseBased && Role == RaftRole.Leader && _checkQuorum
        && LeadTransferee == 0 && !_leaseDisabled && !Quiesced
        && _quorumRound > _leaseFloorRound && _round - _quorumRound < RoundRing
        && _roundSentTick is { } sent && sent[_quorumRound % RoundRing] + (ulong)(_electionTimeout - _leaseMarginTicks) > Ticks;

    /// <summary>Rounds the lease ring holds room for: 0 until a lease-based leader's first round, and after a trim.</summary>
    public int RoundRingCapacity => _roundSentTick?.Length ?? 0;

    /// <summary>Reads waiting for a heartbeat round.</summary>
    public int PendingReadCount => _pendingReads.Count + _pendingReadIndexMessages.Count;

    private void ResetReads()
    {
        _pendingReads.Clear();
        _pendingReadIndexMessages.Clear();
        _round = 0;
        _quorumRound = 0;
        _handedOutRound = 0;
        _leaseFloorRound = 0;
        _leaseDisabled = false;
    }

    private void BroadcastHeartbeat(MessageFlags flags)
    {
        // A quiesce heartbeat is not a round of its own: the members that go quiet do not answer
        // it, and reads waiting for a round that is never answered would wait for the next tick.
        // It carries the newest round's number, whose answers it may only add to.
        var quiesce = (flags & MessageFlags.Quiesce) != 0;
        if (!quiesce)
        {
            _round++;
            if (_readOnlyOption == ReadOnlyOption.LeaseBased)
            {
                _roundSentTick ??= new ulong[RoundRing];
                _roundSentTick[_round % RoundRing] = Ticks;
            }

            var self = Tracker.Get(Id);
            if (self is not null)
            {
                self.AckedRound = _round;
            }
        }

        foreach (var id in Tracker.Ids)
        {
            if (id == Id)
            {
                continue;
            }

            var pr = Tracker.Progress[id];
            NoteCommitTold(pr, quiesce);
            Send(new Message
            {
                Type = MessageType.Heartbeat,
                To = id,

                // Never tell a follower to commit beyond what it is known to hold.
                Commit = Math.Min(pr.Match, Log.Committed),
                Context = _round,
                Flags = flags,
                Index = quiesce ? Log.LastIndex : 0,
                LogTerm = quiesce ? Log.LastTerm : 0,
            });
        }

        // A group of one confirms its own rounds.
        AdvanceReads();
    }

    private void HandleHeartbeatResponse(Message m, Progress pr)
    {
        pr.RecentActive = true;
        pr.MsgAppFlowPaused = false;
        if (m.Context > pr.AckedRound && m.Context <= _round)
        {
            pr.AckedRound = m.Context;
        }

        if ((m.Flags & MessageFlags.Awake) != 0)
        {
            HandleAwakeMember(m);
        }

        if (pr.Match < Log.LastIndex)
        {
            // The follower is alive but behind; if our window is full its acknowledgements were
            // probably lost, so let one more append through to find out.
            if (pr.State == ProgressState.Replicate && pr.Inflights.Full)
            {
                pr.Inflights.FreeFirst();
            }

            SendAppend(m.From, sendIfEmpty: true);
        }

        AdvanceReads();
    }

    private void AdvanceReads()
    {
        var q = Tracker.QuorumAckedRound();
        if (q > _quorumRound && q <= _round)
        {
            _quorumRound = q;
        }

        while (_pendingReads.TryPeek(out var r) && r.Round <= _quorumRound)
        {
            _pendingReads.Dequeue();
            RespondToRead(r.From, r.RequestId, r.Index);
        }

        // Reads that arrived while a round was in flight need a round of their own.
        if (_pendingReads.Count > 0 && _quorumRound == _round && Role == RaftRole.Leader)
        {
            BroadcastHeartbeat(MessageFlags.None);
        }
    }

    private void HandleReadIndexAtLeader(Message m)
    {
        if (Tracker.IsSingleton && Tracker.Config.Voters.Incoming.Contains(Id))
        {
            RespondToRead(m.From, m.Context, Log.Committed);
            return;
        }

        // Until an entry of our term is committed we do not know the true commit index (§8).
        if (Log.TermOrZero(Log.Committed) != Term)
        {
            _pendingReadIndexMessages.Add(m);
            return;
        }

        if (LeaseValid)
        {
            RespondToRead(m.From, m.Context, Log.Committed);
            return;
        }

        if (_round > _handedOutRound && _round > _quorumRound)
        {
            // The newest round is still waiting to be sent: it is sent after this read arrived,
            // so it confirms it (many reads issued together share one round).
            _pendingReads.Enqueue(new PendingRead(Log.Committed, m.From, m.Context, _round));
            return;
        }

        _pendingReads.Enqueue(new PendingRead(Log.Committed, m.From, m.Context, _round + 1));
        if (_quorumRound == _round)
        {
            BroadcastHeartbeat(MessageFlags.None);
        }
    }

    /// <summary>
    /// Releases the round ring when none of its rounds can grant a lease again: off the lead
    /// (a new term starts its rounds afresh), or once quiescence or a wake put every round sent
    /// so far below the lease floor.
    /// </summary>
    private void TrimReadBuffers()
    {
        if (Role != RaftRole.Leader || _round <= _leaseFloorRound)
        {
            _roundSentTick = null;
        }

        ReleaseIfEmpty(_pendingReadIndexMessages);
        if (_pendingReads.Count == 0)
        {
            _pendingReads.TrimExcess();
        }
    }

    /// <summary>The application has taken every message queued so far (RawNode.GetReady).</summary>
    public void MessagesHandedOut() => _handedOutRound = _round;

    private void ReleasePendingReadIndexMessages()
    {
        if (_pendingReadIndexMessages.Count == 0 || Log.TermOrZero(Log.Committed) != Term)
        {
            return;
        }

        var waiting = _pendingReadIndexMessages.ToArray();
        _pendingReadIndexMessages.Clear();
        foreach (var m in waiting)
        {
            HandleReadIndexAtLeader(m);
        }
    }

    private void RespondToRead(ulong from, ulong requestId, ulong index)
    {
        if (from == Id || from == 0)
        {
            ReadStates.Add(new ReadState(index, requestId));
        }
        else
        {
            Send(new Message { Type = MessageType.ReadIndexResponse, To = from, Index = index, Context = requestId });
        }
    }
}
