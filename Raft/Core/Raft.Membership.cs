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

    /// <summary>Takes the membership of a start-up state or an installed snapshot, with fresh progress.</summary>
    private void ConfigureFrom(ConfState cs) =>
        SwitchToConfig(TrackerConfig.From(cs), Tracker.NewProgress(cs, Log.LastIndex + 1));

    private ConfState SwitchToConfig(TrackerConfig cfg, Dictionary<ulong, Progress> prs)
    {
        Tracker.Set(cfg, prs);
        var cs = cfg.ToConfState();
        var self = Tracker.Get(Id);
        IsLearner = self?.IsLearner ?? false;

        if ((self is null || IsLearner) && Role == RaftRole.Leader)
        {
            // A removed or demoted leader does not step down at once: the others may not know
            // yet that the change committed, so they may still count us and need our vote, which
            // our longer log would refuse. It takes no more proposals, replicates until a voter
            // of the new configuration has its whole log, and hands leadership to it.
            HandOverIfRemoved();
            return cs;
        }

        if (Role != RaftRole.Leader || cs.Voters.Count == 0)
        {
            return cs;
        }

        // With fewer (or other) voters the quorum may already hold more entries.
        if (MaybeCommit())
        {
            OweCommitNotice();
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

    /// <summary>Whether this member leads a configuration in which it no longer votes.</summary>
    private bool LeadsWithoutVote => Role == RaftRole.Leader && Tracker.Get(Id) is not { IsLearner: false };

    /// <summary>
    /// A leader that no longer votes hands over to the most caught-up voter: at once if it holds
    /// the whole log, else once it does (see HandleAppendResponse). Retried on every heartbeat
    /// tick until a successor's campaign makes us a follower.
    /// </summary>
    private void HandOverIfRemoved()
    {
        if (!LeadsWithoutVote || LeadTransferee != 0)
        {
            return;
        }

        ulong best = 0;
        ulong bestMatch = 0;
        foreach (var id in Tracker.Config.Voters.Incoming.Ids)
        {
            var pr = Tracker.Progress[id];
            if (best == 0 || pr.Match > bestMatch)
            {
                best = id;
                bestMatch = pr.Match;
            }
        }

        if (best != 0)
        {
            _ = HandleTransferLeader(best);
        }
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

        MaybeAutoLeave();
    }

    /// <summary>
    /// A leader whose joint configuration (with auto-leave) is applied proposes leaving it. Called
    /// as entries are applied and on every heartbeat tick, so a refused attempt (for example while
    /// a transfer is in progress) is retried even when no more entries arrive.
    /// </summary>
    private void MaybeAutoLeave()
    {
        if (Role == RaftRole.Leader && Tracker.Config.AutoLeave && Tracker.Config.Voters.IsJoint
            && Log.Applied >= _pendingConfIndex)
        {
            _ = ProposeLocal(EntryType.ConfChange, ConfChange.LeaveJoint.Encode());
        }
    }
}
