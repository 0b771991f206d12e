namespace MultiRaft.Raft;

/// <summary>
/// Quiescence: an idle group stops ticking and heartbeating. The leader quiesces only when
/// every member holds and has committed its whole log, and tells them in a last heartbeat;
/// a member wakes on any message or proposal. A quiesced leader holds no lease, and on waking
/// it must hear from a quorum within an election timeout again, so CheckQuorum keeps its meaning.
/// </summary>
/// <remarks>
/// "Has committed" is known, not assumed: a member that holds the whole log may not have heard
/// the commit of its tail yet, and if the quiesce heartbeat (which carries it) were the only
/// message to tell it, losing that one message would leave it behind until the next write: a
/// voter would at least campaign and wake the group, a learner never does. So the leader waits
/// for every member to acknowledge a heartbeat round whose heartbeat to it carried the commit of
/// the last index (sent once the whole log was committed and that member held it).
/// </remarks>
internal sealed partial class Raft
{
    public bool Quiesced { get; private set; }

    // Set during TickIdle: the tick's heartbeat round may ask members to go quiet.
    private bool _idleTick;

    // Nothing stands in the way of quiescence but the members' knowledge of the log.
    private bool MayQuiesce => Role == RaftRole.Leader && LeadTransferee == 0 && PendingReadCount == 0 && !_appendPending
        && !Tracker.Config.Voters.IsJoint && Log.Committed == Log.LastIndex;

    /// <summary>Quiesces a leader whose group is fully caught up; false (and nothing changes) otherwise.</summary>
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
            if (!HoldsCommittedLog(id))
            {
                if (id != Id && down is not null && down(id))
                {
                    continue;
                }

                return false;
            }

            allQuiet &= id == Id || IsQuiet(Tracker.Progress[id]);
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

    // The member said it went quiet after it was told the commit of the whole log, and no
    // heartbeat since has woken it (anything else that would, an append, changes the log).
    private bool IsQuiet(Progress pr) => pr.QuietRound >= pr.CommitToldRound && pr.QuietRound > _wakingRound;

    /// <summary>
    /// A quiesced leader tells one member, which restarted or was away, who leads, what it may
    /// commit and to go quiet, without waking the group: one heartbeat of the quiesce round. A
    /// member that lacks entries does not go quiet but answers, and the answer makes the leader
    /// send what it lacks, whose acknowledgement wakes the group until everyone holds the log
    /// again; a lost heartbeat leaves a restarted voter to campaign, which wakes the group too.
    /// False (nothing sent) unless this is a quiesced leader and <paramref name="id"/> another member.
    /// </summary>
    public bool SendQuiesceHeartbeat(ulong id)
    {
        if (!Quiesced || Role != RaftRole.Leader || id == Id || Tracker.Get(id) is not { } pr)
        {
            return false;
        }

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
    /// Whether member <paramref name="id"/> holds the whole log and is known to know it committed
    /// (leader only; false for an unknown member). A quiesced group's members all do, but those
    /// the host said were down when it quiesced.
    /// </summary>
    public bool HoldsCommittedLog(ulong id)
    {
        if (Role != RaftRole.Leader || Log.Committed != Log.LastIndex || Tracker.Get(id) is not { } pr || pr.Match != Log.LastIndex)
        {
            return false;
        }

        return id == Id || (pr.CommitToldIndex == Log.LastIndex && pr.CommitToldRound != 0 && pr.AckedRound >= pr.CommitToldRound);
    }

    // Called as a heartbeat round goes out to a member: remembers the first round whose heartbeat
    // to it carried the commit of the whole log, which it holds.
    private void NoteCommitTold(Progress pr)
    {
        if (pr.Match == Log.LastIndex && Log.Committed == Log.LastIndex && (pr.CommitToldRound == 0 || pr.CommitToldIndex != Log.LastIndex))
        {
            pr.CommitToldRound = _round;
            pr.CommitToldIndex = Log.LastIndex;
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
