namespace MultiRaft.Raft;

/// <summary>How the leader is sending to a follower.</summary>
public enum ProgressState : byte
{
    /// <summary>One append at a time until the follower's log position is found.</summary>
    Probe,

    /// <summary>Appends are pipelined within the inflight window.</summary>
    Replicate,

    /// <summary>A snapshot is on its way; appends wait for its outcome.</summary>
    Snapshot,
}

/// <summary>
/// The leader's view of one member. Invariants: Match &lt; Next; in Replicate, Next - 1 is the
/// last index sent; in Snapshot, PendingSnapshot is the index being sent.
/// </summary>
internal sealed class Progress
{
    public Progress(ulong next, int maxInflight, long maxInflightBytes, bool isLearner)
    {
        Next = next;
        Inflights = new Inflights(maxInflight, maxInflightBytes);
        IsLearner = isLearner;
    }

    /// <summary>The highest index known to be replicated on the member.</summary>
    public ulong Match { get; set; }

    /// <summary>The next index to send.</summary>
    public ulong Next { get; set; }

    public ProgressState State { get; private set; } = ProgressState.Probe;

    public ulong PendingSnapshot { get; set; }

    /// <summary>Heard from since the last CheckQuorum round.</summary>
    public bool RecentActive { get; set; }

    /// <summary>In Probe: an append is outstanding, so wait for its answer or a heartbeat.</summary>
    public bool MsgAppFlowPaused { get; set; }

    public Inflights Inflights { get; }

    public bool IsLearner { get; set; }

    /// <summary>The newest heartbeat round this member acknowledged in the current term.</summary>
    public ulong AckedRound { get; set; }

    /// <summary>
    /// The log's last index when a heartbeat last carried the commit of the whole log to this
    /// member, which held it; 0 while none was sent this term. Sent is told: a member that lost
    /// it is awake (the append it acknowledged woke it) and is told again after an election
    /// timeout, a voter once its campaign wakes the group, a learner once it asks (quiescence).
    /// </summary>
    public ulong CommitToldIndex { get; set; }

    /// <summary>
    /// The log's last index when this member was last sent a quiesce heartbeat holding and having
    /// committed the whole log, with no waking heartbeat sent since; 0 otherwise. Such a member
    /// went quiet (or lost the heartbeat and asks again).
    /// </summary>
    public ulong QuietToldIndex { get; set; }

    /// <summary>A copy for a configuration being computed (the live one is never changed by a dry run).</summary>
    public Progress Clone()
    {
        var p = new Progress(Next, Inflights.Limit, Inflights.MaxBytes, IsLearner)
        {
            Match = Match,
            RecentActive = RecentActive,
            AckedRound = AckedRound,
            CommitToldIndex = CommitToldIndex,
            QuietToldIndex = QuietToldIndex,
        };
        p.ResetState(State);
        p.PendingSnapshot = PendingSnapshot;
        p.MsgAppFlowPaused = MsgAppFlowPaused;
        p.Inflights.CopyFrom(Inflights);
        return p;
    }

    public void ResetState(ProgressState state)
    {
        MsgAppFlowPaused = false;
        PendingSnapshot = 0;
        State = state;
        Inflights.Reset();
    }

    public void BecomeProbe()
    {
        // After a snapshot the follower holds at least the snapshot, so probe from just after it.
        if (State == ProgressState.Snapshot)
        {
            var pending = PendingSnapshot;
            ResetState(ProgressState.Probe);
            Next = Math.Max(Match + 1, pending + 1);
        }
        else
        {
            ResetState(ProgressState.Probe);
            Next = Match + 1;
        }
    }

    public void BecomeReplicate()
    {
        ResetState(ProgressState.Replicate);
        Next = Match + 1;
    }

    public void BecomeSnapshot(ulong snapshotIndex)
    {
        ResetState(ProgressState.Snapshot);
        PendingSnapshot = snapshotIndex;
    }

    /// <summary>An append of <paramref name="entries"/> starting at <see cref="Next"/> was sent.</summary>
    public void SentEntries(int entries, long bytes)
    {
        switch (State)
        {
            case ProgressState.Replicate:
                if (entries > 0)
                {
                    var last = Next + (ulong)entries - 1;
                    Next = last + 1;
                    Inflights.Add(last, bytes);
                }

                break;
            case ProgressState.Probe:
                MsgAppFlowPaused = true;
                break;
            default:
                throw new RaftInvariantException($"sending entries in state {State}");
        }
    }

    /// <summary>The member acknowledged up to <paramref name="n"/>; false when that is old news.</summary>
    public bool MaybeUpdate(ulong n)
    {
        var updated = false;
        if (Match < n)
        {
            Match = n;
            updated = true;
            MsgAppFlowPaused = false;
        }

        Next = Math.Max(Next, n + 1);
        return updated;
    }

    /// <summary>
    /// The member rejected an append at <paramref name="rejected"/>, hinting that its log may match
    /// up to <paramref name="matchHint"/>. False when the rejection is stale.
    /// </summary>
    public bool MaybeDecrTo(ulong rejected, ulong matchHint)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match)
            {
                return false;
            }

            Next = Match + 1;
            return true;
        }

        if (Next - 1 != rejected)
        {
            return false;
        }

        Next = Math.Max(Math.Min(rejected, matchHint + 1), Match + 1);
        MsgAppFlowPaused = false;
        return true;
    }

    /// <summary>Whether sending more appends must wait.</summary>
    public bool IsPaused => State switch
    {
        ProgressState.Probe => MsgAppFlowPaused,
        ProgressState.Replicate => Inflights.Full,
        _ => true,
    };

    public override string ToString() =>
        $"{State} match={Match} next={Next}" + (IsLearner ? " learner" : "")
        + (State == ProgressState.Snapshot ? $" pending={PendingSnapshot}" : "")
        + (Inflights.Count > 0 ? $" inflight={Inflights.Count}" : "") + (MsgAppFlowPaused ? " paused" : "");
}
