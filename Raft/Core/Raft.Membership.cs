namespace MultiRaft.Raft;

/// <summary>Applying membership changes (thesis §4, joint consensus §4.3).</summary>
internal sealed partial class Raft
{
    /// <summary>Validates a change against the configuration in force; throws with the reason.</summary>
    public void ValidateConfChange(ConfChange cc) => _ = new Changer(Tracker, Log.LastIndex).Apply(cc);

    /// <summary>Applies a committed change; returns the resulting membership.</summary>
    public ConfState ApplyConfChange(ConfChange cc)
    {
        if (Tracker.Config.Voters.Incoming.Count == 0 && !Tracker.Config.Voters.IsJoint)
        {
            // Our log does not start with the membership: this member was created empty and is
            // replaying a log whose membership lives in a snapshot it never received (or the group
            // was not bootstrapped with Bootstrap). Going on would make up a membership.
            throw new RaftInvariantException(
                $"member {Id} applies a membership change ({cc}) to an empty configuration; start groups "
                + "with Bootstrap.InitialSnapshot so that new members receive the membership in a snapshot");
        }

        var (cfg, prs) = new Changer(Tracker, Log.LastIndex).Apply(cc);
        return SwitchToConfig(cfg, prs);
    }

    private ConfState SwitchToConfig(TrackerConfig cfg, Dictionary<ulong, Progress> prs)
    {
        Tracker.Set(cfg, prs);
        var cs = cfg.ToConfState();
        var self = Tracker.Get(Id);
        IsLearner = self?.IsLearner ?? false;

        if ((self is null || IsLearner) && Role == RaftRole.Leader)
        {
            // A removed or demoted leader steps down; the change is committed, so the remaining
            // voters (who learned of the commit from us) elect a successor.
            BecomeFollower(Term, 0);
            return cs;
        }

        if (Role != RaftRole.Leader || cs.Voters.Count == 0)
        {
            return cs;
        }

        // With fewer (or other) voters the quorum may already hold more entries.
        if (MaybeCommit())
        {
            _appendPending = true;
        }
        else
        {
            foreach (var id in Tracker.Ids)
            {
                if (id != Id)
                {
                    SendAppend(id, sendIfEmpty: false);
                }
            }
        }

        if (LeadTransferee != 0 && !Tracker.Config.Voters.Contains(LeadTransferee))
        {
            AbortLeaderTransfer();
        }

        return cs;
    }

    /// <summary>
    /// Called as entries are applied: a leader whose joint configuration (with auto-leave) is
    /// now applied proposes leaving it.
    /// </summary>
    public void AppliedTo(ulong index, long appliedPayloadBytes)
    {
        Log.AppliedTo(index);
        if (Role == RaftRole.Leader)
        {
            ReduceUncommittedSize(appliedPayloadBytes);
        }

        if (Role == RaftRole.Leader && Tracker.Config.AutoLeave && Tracker.Config.Voters.IsJoint
            && index >= _pendingConfIndex)
        {
            // If this is refused (for example by a transfer in progress) it is retried on the
            // next application.
            _ = ProposeLocal(EntryType.ConfChange, ConfChange.LeaveJoint.Encode());
        }
    }
}
