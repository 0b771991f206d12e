namespace MultiRaft.Raft;

/// <summary>
/// Quiescence: an idle group stops ticking and heartbeating. The leader quiesces only when
/// every member holds its whole log, which is committed, and tells them so in a last heartbeat
/// that carries the commit; a member wakes on any message or proposal. A quiesced leader holds
/// no lease, and on waking it must hear from a quorum within an election timeout again, so
/// CheckQuorum keeps its meaning.
/// </summary>
/// <remarks>
/// The quiesce heartbeat is not answered by a member that goes quiet: a write to an idle group
/// is then the append, its acknowledgements and that one heartbeat each (six messages in a group
/// of three), not also a round of answers. A member that does not get it is not left behind for
/// good: it acknowledged the append, which woke it, so it is still ticking; a voter campaigns
/// after an election timeout (its pre-vote wakes the group, whose heartbeats tell it the commit),
/// and a learner, which never campaigns, sends its leader an unasked answer flagged
/// <see cref="MessageFlags.Awake"/>, and a quiesced leader tells it again.
/// </remarks>
internal sealed partial class Raft
{
    public bool Quiesced { get; private set; }

    // Nothing stands in the way of quiescence but the members' knowledge of the log.
    private bool MayQuiesce => Role == RaftRole.Leader && LeadTransferee == 0 && PendingReadCount == 0 && !_appendPending
        && !Tracker.Config.Voters.IsJoint && Log.Committed == Log.LastIndex;

    /// <summary>
    /// Quiesces a leader whose group is fully caught up, telling every member the commit of the
    /// whole log in a quiesce heartbeat (unless each was told since the last waking round); false
    /// (and nothing changes) otherwise.
    /// </summary>
    /// <param name="down">
    /// Members the host knows to be down (their process silent past an election timeout), which
    /// are not waited for as long as the members that are caught up make a majority of the voters.
    /// Waiting for them kept every group that elected a leader, or took a write, while one of its
    /// members was down heartbeating each tick for as long as the outage lasted (at 10,000 shards a
    /// silo down cost the others 17,000 heartbeats a second each). Such a member is behind at worst,
    /// which Raft allows; when it is heard from again, the host has the leader send it one quiesce
    /// heartbeat (<see cref="SendQuiesceHeartbeat"/>), whose answer gets it what it lacks.
    /// </param>
    public bool TryQuiesce(Func<ulong, bool>? down = null)
    {
        if (Quiesced)
        {
            return true;
        }

        if (!MayQuiesce)
        {
            return false;
        }

        var voters = Tracker.Config.Voters.Incoming;
        var caughtUpVoters = 0;
        var allQuiet = true;
        foreach (var id in Tracker.Ids)
        {
            var pr = Tracker.Progress[id];
            if (pr.Match != Log.LastIndex)
            {
                if (id != Id && down is not null && down(id))
                {
                    continue;
                }

                return false;
            }

            allQuiet &= id == Id || pr.QuietToldIndex == Log.LastIndex;
            if (voters.Contains(id))
            {
                caughtUpVoters++;
            }
        }

        if (caughtUpVoters <= voters.Count / 2)
        {
            return false;
        }

        // Lease acknowledgements from before quiescence must not outlive it.
        _leaseFloorRound = _round + 1;
        if (!allQuiet)
        {
            BroadcastHeartbeat(MessageFlags.Quiesce);
        }

        Quiesced = true;
        return true;
    }

    /// <summary>
    /// A quiesced leader tells one member, which restarted, was away or asked (a learner that
    /// lost the last one), who leads, what it may commit and to go quiet, without waking the
    /// group: one quiesce heartbeat. A member that lacks entries does not go quiet but answers,
    /// and the answer makes the leader send what it lacks, whose acknowledgement wakes the group
    /// until everyone holds the log again; a lost heartbeat leaves a restarted voter to campaign,
    /// which wakes the group too.
    /// False (nothing sent) unless this is a quiesced leader and <paramref name="id"/> another member.
    /// </summary>
    public bool SendQuiesceHeartbeat(ulong id)
    {
        if (!Quiesced || Role != RaftRole.Leader || id == Id || Tracker.Get(id) is not { } pr)
        {
            return false;
        }

        NoteCommitTold(pr, quiesce: true);
        Send(new Message
        {
            Type = MessageType.Heartbeat,
            To = id,
            Commit = Math.Min(pr.Match, Log.Committed),
            Context = _round,
            Flags = MessageFlags.Quiesce,
            Index = Log.LastIndex,
            LogTerm = Log.LastTerm,
        });
        return true;
    }

    /// <summary>
    /// Whether member <paramref name="id"/> holds the whole log and was told it committed (a
    /// heartbeat carrying that commit went to it; leader only; false for an unknown member). A
    /// quiesced group's members all were, but those the host said were down when it quiesced.
    /// </summary>
    public bool HoldsCommittedLog(ulong id)
    {
        if (Role != RaftRole.Leader || Log.Committed != Log.LastIndex || Tracker.Get(id) is not { } pr || pr.Match != Log.LastIndex)
        {
            return false;
        }

        return id == Id || pr.CommitToldIndex == Log.LastIndex;
    }

    // Called as a heartbeat goes out to a member: whether it tells the member the commit of the
    // whole log, which it holds, and whether it asks the member to go quiet (a heartbeat without
    // the flag wakes it, so an earlier quiesce heartbeat no longer holds).
    private void NoteCommitTold(Progress pr, bool quiesce)
    {
        var holdsCommitted = pr.Match == Log.LastIndex && Log.Committed == Log.LastIndex;
        if (holdsCommitted)
        {
            pr.CommitToldIndex = Log.LastIndex;
        }

        if (!quiesce)
        {
            pr.QuietToldIndex = 0;
        }
        else if (holdsCommitted)
        {
            pr.QuietToldIndex = Log.LastIndex;
        }
    }

    // A learner asks, having heard nothing from its leader for an election timeout: a quiesced
    // leader's heartbeat to it was lost. Told again without waking the group; an awake leader's
    // next heartbeat tells it anyway.
    private void HandleAwakeMember(Message m)
    {
        if (Quiesced)
        {
            SendQuiesceHeartbeat(m.From);
        }
    }

    /// <summary>Ends quiescence. A woken leader confirms it still has a quorum with a heartbeat round.</summary>
    /// <param name="heartbeat">
    /// False when a proposal wakes the leader: the appends it sends at once reach every member and
    /// their answers confirm the quorum just as well, so a round of heartbeats would double the
    /// messages of a write to an idle shard for nothing.
    /// </param>
    public void Wake(bool heartbeat = true)
    {
        if (!Quiesced)
        {
            return;
        }

        Quiesced = false;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        if (Role == RaftRole.Leader)
        {
            foreach (var id in Tracker.Ids)
            {
                if (id != Id)
                {
                    Tracker.Progress[id].RecentActive = false;
                }
            }

            _leaseFloorRound = _round;
            if (heartbeat)
            {
                BroadcastHeartbeat(MessageFlags.None);
            }
        }
        else
        {
            ResetRandomizedElectionTimeout();
        }
    }
}
