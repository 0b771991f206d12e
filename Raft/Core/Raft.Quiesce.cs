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
/// for every member to acknowledge a heartbeat round sent once the whole log was committed and
/// held everywhere (each heartbeat of that round carried the commit of the last index).
/// </remarks>
internal sealed partial class Raft
{
    public bool Quiesced { get; private set; }

    // The first heartbeat round of this term sent while every member held, and the leader had
    // committed, the log up to _caughtUpIndex; 0 while no such round was sent.
    private ulong _caughtUpRound;
    private ulong _caughtUpIndex;

    /// <summary>Quiesces a leader whose group is fully caught up; false (and nothing changes) otherwise.</summary>
    public bool TryQuiesce()
    {
        if (Quiesced)
        {
            return true;
        }

        if (Role != RaftRole.Leader || LeadTransferee != 0 || PendingReadCount > 0 || _appendPending
            || Tracker.Config.Voters.IsJoint || Log.Committed != Log.LastIndex)
        {
            return false;
        }

        // The round whose answer shows a member knows the whole log committed; 0: none sent yet.
        var commitKnownRound = _caughtUpIndex == Log.LastIndex ? _caughtUpRound : 0;
        foreach (var id in Tracker.Ids)
        {
            var pr = Tracker.Progress[id];
            if (pr.Match != Log.LastIndex || (id != Id && (commitKnownRound == 0 || pr.AckedRound < commitKnownRound)))
            {
                return false;
            }
        }

        // Lease acknowledgements from before quiescence must not outlive it.
        _leaseFloorRound = _round + 1;
        BroadcastHeartbeat(MessageFlags.Quiesce);
        Quiesced = true;
        return true;
    }

    // Called as a heartbeat round goes out: remembers the first round whose every heartbeat
    // carried the commit of the whole log, which every member holds.
    private void NoteCaughtUpRound(bool everyMemberHoldsTheLog)
    {
        if (everyMemberHoldsTheLog && Log.Committed == Log.LastIndex && (_caughtUpRound == 0 || _caughtUpIndex != Log.LastIndex))
        {
            _caughtUpRound = _round;
            _caughtUpIndex = Log.LastIndex;
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
