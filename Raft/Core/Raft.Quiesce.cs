namespace MultiRaft.Raft;

/// <summary>
/// Quiescence: an idle group stops ticking and heartbeating. The leader quiesces only when
/// every member holds and has committed its whole log, and tells them in a last heartbeat;
/// a member wakes on any message or proposal. A quiesced leader holds no lease, and on waking
/// it must hear from a quorum within an election timeout again, so CheckQuorum keeps its meaning.
/// </summary>
internal sealed partial class Raft
{
    public bool Quiesced { get; private set; }

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

        foreach (var id in Tracker.Ids)
        {
            if (Tracker.Progress[id].Match != Log.LastIndex)
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

    public void Wake()
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
            BroadcastHeartbeat(MessageFlags.None);
        }
        else
        {
            ResetRandomizedElectionTimeout();
        }
    }
}
