namespace MultiRaft.Raft;

/// <summary>
/// One member of a Raft group, driven by the application: <see cref="Tick"/> on a timer,
/// <see cref="Step"/> with messages from peers, propose with <see cref="Propose"/>, then loop
/// on <see cref="HasReady"/> / <see cref="GetReady"/> / <see cref="Advance"/>. No I/O, no
/// clocks, no threads: everything it does is a function of those calls. Not thread-safe; the
/// owner calls it from one thread at a time.
/// </summary>
public sealed class RawNode
{
    private readonly Raft _raft;
    // Created by the first GetReady and dropped by TrimBuffers: an idle member needs none.
    private Ready? _ready;
    private SoftState _prevSoft;
    private HardState _prevHard;
    private bool _readyOutstanding;

    // What the outstanding Ready handed out, for Advance.
    private ulong _readyLastEntryIndex;
    private ulong _readyLastEntryTerm;
    private ulong _readySnapshotIndex;
    private ulong _readyLastCommitted;
    private long _readyCommittedPayload;

    /// <summary>Creates a member from its configuration and persisted state.</summary>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    public RawNode(RaftConfig config)
    {
        _raft = new Raft(config);
        _prevSoft = _raft.SoftState;
        _prevHard = _raft.HardState;
    }

    internal Raft Raft => _raft;

    /// <summary>This member's id.</summary>
    public ulong Id => _raft.Id;

    /// <summary>Current term.</summary>
    public ulong Term => _raft.Term;

    /// <summary>The known leader (0: none).</summary>
    public ulong Lead => _raft.Lead;

    /// <summary>This member's role.</summary>
    public RaftRole Role => _raft.Role;

    /// <summary>Highest committed index.</summary>
    public ulong Committed => _raft.Log.Committed;

    /// <summary>Highest applied index.</summary>
    public ulong Applied => _raft.Log.Applied;

    /// <summary>Last index in the log.</summary>
    public ulong LastIndex => _raft.Log.LastIndex;

    /// <summary>Whether the member has stopped ticking because its group is idle.</summary>
    public bool IsQuiesced => _raft.Quiesced;

    /// <summary>Whether a leader may answer reads from its lease now.</summary>
    public bool LeaseValid => _raft.LeaseValid;

    /// <summary>
    /// Advances logical time by one tick. The caller must deliver every tick that real time
    /// owes (after a pause too), or leases become unsafe.
    /// </summary>
    public void Tick() => _raft.Tick();

    /// <summary>Starts an election now (skipping the election timeout, not PreVote).</summary>
    public void Campaign() => _raft.Step(new Message { Type = MessageType.Hup, From = Id });

    /// <summary>Steps a message from a peer.</summary>
    /// <exception cref="ArgumentException">The message is of a local type, or not addressed to this member.</exception>
    public void Step(Message m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (Message.IsLocal(m.Type))
        {
            throw new ArgumentException($"{m.Type} is a local message and cannot be stepped from the network", nameof(m));
        }

        if (m.To != Id)
        {
            throw new ArgumentException($"message for {m.To} stepped on member {Id}", nameof(m));
        }

        if (Message.IsResponse(m.Type) && _raft.Tracker.Get(m.From) is null && m.Type != MessageType.ReadIndexResponse)
        {
            // Responses from members we do not know (removed ones) are ignored.
            return;
        }

        _raft.Step(m);
    }

    /// <summary>Proposes an application command.</summary>
    public ProposalResult Propose(ReadOnlyMemory<byte> data) => _raft.ProposeLocal(EntryType.Normal, data);

    /// <summary>
    /// Proposes a membership change. A change that can never be valid against the configuration
    /// in force throws; one that must wait (another pending, wrong joint state, no leader)
    /// returns why.
    /// </summary>
    /// <exception cref="InvalidConfChangeException">The change is invalid (for example it removes every voter).</exception>
    public ProposalResult ProposeConfChange(ConfChange cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        if (_raft.Tracker.Config.Voters.IsJoint != cc.IsLeaveJoint)
        {
            return ProposalResult.JointStateMismatch;
        }

        _raft.ValidateConfChange(cc);
        return _raft.ProposeLocal(EntryType.ConfChange, cc.Encode());
    }

    /// <summary>
    /// Applies a committed membership change (the application calls this for each
    /// <see cref="EntryType.ConfChange"/> entry as it applies it) and returns the membership to
    /// persist.
    /// </summary>
    public ConfState ApplyConfChange(ConfChange cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return _raft.ApplyConfChange(cc);
    }

    /// <summary>Asks the leader to hand leadership to <paramref name="transferee"/>.</summary>
    public ProposalResult TransferLeader(ulong transferee) =>
        _raft.Step(new Message { Type = MessageType.TransferLeader, From = Id, Context = transferee });

    /// <summary>
    /// Requests a linearizable read. A <see cref="ReadState"/> with <paramref name="requestId"/>
    /// arrives in a later <see cref="Ready"/>; serve the read once applied reaches its index.
    /// </summary>
    public ProposalResult ReadIndex(ulong requestId) =>
        _raft.Step(new Message { Type = MessageType.ReadIndex, From = Id, Context = requestId });

    /// <summary>The transport could not deliver to <paramref name="id"/>.</summary>
    public void ReportUnreachable(ulong id) =>
        _raft.Step(new Message { Type = MessageType.Unreachable, From = id });

    /// <summary>The outcome of sending a snapshot to <paramref name="id"/>.</summary>
    public void ReportSnapshot(ulong id, bool succeeded) =>
        _raft.Step(new Message { Type = MessageType.SnapshotStatus, From = id, Reject = !succeeded });

    /// <summary>Tries to quiesce an idle group (leader only); false when it is not idle.</summary>
    /// <param name="down">Members known to be down: not waited for while the caught-up members make a majority of the voters.</param>
    public bool TryQuiesce(Func<ulong, bool>? down = null) => _raft.TryQuiesce(down);

    /// <summary>Whether member <paramref name="id"/> holds the whole log and is known to know it committed (leader only).</summary>
    public bool HoldsCommittedLog(ulong id) => _raft.HoldsCommittedLog(id);

    /// <summary>A quiesced leader sends member <paramref name="id"/> alone a quiesce heartbeat (it restarted or was away), staying quiesced.</summary>
    public bool SendQuiesceHeartbeat(ulong id) => _raft.SendQuiesceHeartbeat(id);

    /// <summary>Wakes a quiesced member (for example when a peer is suspected dead).</summary>
    public void Wake() => _raft.Wake();

    /// <summary>
    /// Releases the buffers a busy member grew (inflight windows, unstable entries, message and
    /// Ready lists, the last append slice), keeping any that still hold something. A silo hosts
    /// thousands of members and most are idle: call this when the member quiesces, between Ready
    /// cycles. Nothing else changes; the buffers grow again when traffic returns.
    /// </summary>
    /// <exception cref="InvalidOperationException">A Ready is outstanding: its lists are in use until <see cref="Advance"/>.</exception>
    public void TrimBuffers()
    {
        if (_readyOutstanding)
        {
            throw new InvalidOperationException("TrimBuffers called before Advance");
        }

        _raft.TrimBuffers();
        _ready = null;
    }

    /// <summary>Whether there is anything to persist, send or apply.</summary>
    public bool HasReady
    {
        get
        {
            var r = _raft;
            return r.AppendPending || r.Msgs.Count > 0 || r.MsgsAfterAppend.Count > 0 || r.ReadStates.Count > 0
                || r.Log.Unstable.Count > 0 || r.Log.HasPendingSnapshot || r.Log.HasNextCommittedEntries
                || r.SoftState != _prevSoft || r.HardState != _prevHard;
        }
    }

    /// <summary>Collects what must be done. Call <see cref="Advance"/> before the next call.</summary>
    /// <exception cref="InvalidOperationException">The previous Ready was not advanced.</exception>
    public Ready GetReady()
    {
        if (_readyOutstanding)
        {
            throw new InvalidOperationException("GetReady called again before Advance");
        }

        var r = _raft;
        r.FlushAppends();
        var rd = _ready ??= new Ready();
        rd.Clear();

        var soft = r.SoftState;
        if (soft != _prevSoft)
        {
            rd.SoftState = soft;
            _prevSoft = soft;
        }

        var hard = r.HardState;
        if (hard != _prevHard)
        {
            rd.HardState = hard;
            rd.MustSync = hard.Term != _prevHard.Term || hard.Vote != _prevHard.Vote;
            _prevHard = hard;
        }

        rd.EntriesList.AddRange(r.Log.Unstable.Entries);
        if (rd.EntriesList.Count > 0)
        {
            var last = rd.EntriesList[^1];
            _readyLastEntryIndex = last.Index;
            _readyLastEntryTerm = last.Term;
            rd.MustSync = true;
        }
        else
        {
            _readyLastEntryIndex = 0;
        }

        rd.Snapshot = r.Log.Unstable.Snapshot;
        _readySnapshotIndex = rd.Snapshot?.Index ?? 0;
        if (rd.Snapshot is not null)
        {
            rd.MustSync = true;
        }

        r.Log.NextCommittedEntries(rd.CommittedList);
        _readyLastCommitted = rd.CommittedList.Count > 0 ? rd.CommittedList[^1].Index : 0;
        _readyCommittedPayload = 0;
        foreach (var e in rd.CommittedList)
        {
            _readyCommittedPayload += e.Data.Length;
        }

        // Swap message lists: the Ready takes the filled ones, the core gets the emptied ones.
        (rd.MessagesList, r.Msgs) = (r.Msgs, rd.MessagesList);
        r.MessagesHandedOut();
        foreach (var m in r.MsgsAfterAppend)
        {
            (m.To == Id ? rd.SelfAfterPersist : rd.PersistedList).Add(m);
        }

        r.MsgsAfterAppend.Clear();
        (rd.ReadStatesList, r.ReadStates) = (r.ReadStates, rd.ReadStatesList);
        _readyOutstanding = true;
        return rd;
    }

    /// <summary>
    /// Everything in the last <see cref="Ready"/> is durable and applied. Steps the member's own
    /// acknowledgements of its writes.
    /// </summary>
    public void Advance()
    {
        if (!_readyOutstanding)
        {
            throw new InvalidOperationException("Advance called without an outstanding Ready");
        }

        _readyOutstanding = false;
        var r = _raft;
        if (_readyLastEntryIndex != 0)
        {
            r.Log.StableTo(_readyLastEntryIndex, _readyLastEntryTerm);
        }

        if (_readySnapshotIndex != 0)
        {
            r.Log.StableSnapTo(_readySnapshotIndex);
            if (_readySnapshotIndex > r.Log.Applied)
            {
                r.Log.AppliedTo(_readySnapshotIndex);
            }
        }

        if (_readyLastCommitted != 0)
        {
            r.AppliedTo(_readyLastCommitted, _readyCommittedPayload);
        }

        if (_readyLastEntryIndex != 0)
        {
            r.AcknowledgeOwnWrite(_readyLastEntryIndex, _readyLastEntryTerm);
        }

        var self = _ready!.SelfAfterPersist;
        foreach (var m in self)
        {
            r.Step(m);
        }

        self.Clear();
    }

    /// <summary>The member's state, with the leader's view of every peer.</summary>
    public Status GetStatus()
    {
        var r = _raft;
        var peers = new List<PeerProgress>();
        if (r.Role == RaftRole.Leader)
        {
            foreach (var id in r.Tracker.Ids)
            {
                var p = r.Tracker.Progress[id];
                peers.Add(new PeerProgress(id, p.Match, p.Next, p.State, p.IsLearner, p.RecentActive));
            }
        }

        return new Status(r.Id, r.HardState, r.SoftState, r.Log.Applied, r.Log.LastIndex, r.LeadTransferee,
            r.Quiesced, r.Tracker.Config.ToConfState(), peers);
    }
}
