namespace MultiRaft.Raft;

/// <summary>Log replication (§5.3), commitment (§5.4.2), pipelining and flow control.</summary>
internal sealed partial class Raft
{
    // Appends owed to followers. Proposals and commit advances only set this; the broadcast is
    // made once per Ready, so a burst of proposals travels in one message per follower.
    private bool _appendPending;

    // Whether the owed broadcast goes to followers that lack nothing too (an empty append that
    // carries the commit): not when all that is owed is a commit advance that waits for the
    // next heartbeat (RaftConfig.CommitNoticeByHeartbeat).
    private bool _emptyAppendsOwed;
    private readonly bool _commitNoticeByHeartbeat;

    /// <summary>Whether a broadcast of appends is owed.</summary>
    public bool AppendPending => _appendPending;

    /// <summary>Sends the owed appends.</summary>
    public void FlushAppends()
    {
        if (_appendPending)
        {
            var sendIfEmpty = _emptyAppendsOwed;
            _appendPending = false;
            _emptyAppendsOwed = false;
            if (Role == RaftRole.Leader)
            {
                BroadcastAppend(sendIfEmpty);
            }
        }
    }

    // The commit advanced: followers must learn it, with the next broadcast or the next heartbeat.
    private void OweCommitNotice()
    {
        _appendPending = true;
        _emptyAppendsOwed |= !_commitNoticeByHeartbeat;
    }

    /// <summary>The leader's own proposal of one payload, without building a message.</summary>
    public ProposalResult ProposeLocal(EntryType type, ReadOnlyMemory<byte> data)
    {
        if (Quiesced)
        {
            Wake(heartbeat: false);
        }

        if (Role != RaftRole.Leader)
        {
            return Step(new Message { Type = MessageType.Propose, From = Id, Entries = [new Entry(0, 0, type, data)] });
        }

        var check = CheckProposal(type, data);
        if (check != ProposalResult.Accepted)
        {
            return check;
        }

        if (!IncreaseUncommittedSize(data.Length))
        {
            return ProposalResult.TooManyUncommittedBytes;
        }

        if (type == EntryType.ConfChange)
        {
            _pendingConfIndex = Log.LastIndex + 1;
        }

        AppendEntry(new Entry(0, 0, type, data));
        _appendPending = true;
        _emptyAppendsOwed = true;
        return ProposalResult.Accepted;
    }

    private ProposalResult CheckProposal(EntryType type, ReadOnlyMemory<byte> data)
    {
        if (LeadsWithoutVote)
        {
            // Removed or demoted: we only hand over now (HandOverIfRemoved).
            return ProposalResult.NotAMember;
        }

        if (LeadTransferee != 0)
        {
            return ProposalResult.LeaderTransferInProgress;
        }

        if (type != EntryType.ConfChange)
        {
            return ProposalResult.Accepted;
        }

        ConfChange cc;
        try
        {
            cc = ConfChange.Decode(data);
        }
        catch (FormatException)
        {
            return ProposalResult.Empty;
        }

        if (_pendingConfIndex > Log.Applied)
        {
            return ProposalResult.ConfChangePending;
        }

        var joint = Tracker.Config.Voters.IsJoint;
        if (joint != cc.IsLeaveJoint)
        {
            return ProposalResult.JointStateMismatch;
        }

        try
        {
            _ = new Changer(Tracker, Log.LastIndex).Apply(cc);
        }
        catch (InvalidConfChangeException)
        {
            return ProposalResult.JointStateMismatch;
        }

        return ProposalResult.Accepted;
    }

    /// <summary>Stamps entries with our term and the next indexes and appends them.</summary>
    private void AppendEntry(Entry e)
    {
        // The leader counts itself only once its own write is durable: RawNode.Advance calls
        // AcknowledgeOwnWrite for the entries the Ready handed out, as a follower's answer would.
        Log.AppendOne(e.WithPosition(Term, Log.LastIndex + 1));
    }

    /// <summary>The leader's own entries up to (index, term) are durable.</summary>
    public void AcknowledgeOwnWrite(ulong index, ulong term)
    {
        if (Role == RaftRole.Leader && term == Term)
        {
            Step(new Message { Type = MessageType.AppendResponse, From = Id, To = Id, Term = Term, Index = index });
        }
    }

    private bool IncreaseUncommittedSize(long size)
    {
        // At least one entry is always accepted, however large, so that progress is possible.
        if (_uncommittedSize > 0 && size > 0 && _uncommittedSize + size > _maxUncommittedSize)
        {
            return false;
        }

        _uncommittedSize += size;
        return true;
    }

    public void ReduceUncommittedSize(long size) =>
        _uncommittedSize = size > _uncommittedSize ? 0 : _uncommittedSize - size;

    public void BroadcastAppend(bool sendIfEmpty = true)
    {
        foreach (var id in Tracker.Ids)
        {
            if (id != Id)
            {
                SendAppend(id, sendIfEmpty);
            }
        }
    }

    /// <summary>
    /// Sends the follower what it lacks, or a snapshot when that is compacted away. With
    /// <paramref name="sendIfEmpty"/> an empty append carries the commit index.
    /// </summary>
    private bool SendAppend(ulong to, bool sendIfEmpty)
    {
        var pr = Tracker.Get(to);
        if (pr is null || pr.IsPaused)
        {
            return false;
        }

        var prevIndex = pr.Next - 1;
        if (!Log.TryTerm(prevIndex, out var prevTerm))
        {
            return SendSnapshot(to, pr);
        }

        var entries = Log.EntriesFrom(pr.Next, _maxMsgSize);
        if (entries is null)
        {
            return SendSnapshot(to, pr);
        }

        if (entries.Length == 0 && !sendIfEmpty)
        {
            return false;
        }

        long bytes = 0;
        foreach (ref readonly var e in entries.AsSpan())
        {
            bytes += e.Size;
        }

        pr.SentEntries(entries.Length, bytes);
        Send(new Message
        {
            Type = MessageType.Append,
            To = to,
            Index = prevIndex,
            LogTerm = prevTerm,
            Entries = entries,
            Commit = Log.Committed,
        });
        return true;
    }

    /// <summary>Commits what a quorum holds; true when commit advanced.</summary>
    private bool MaybeCommit()
    {
        if (!Log.MaybeCommit(Tracker.Committed(), Term))
        {
            return false;
        }

        ReleasePendingReadIndexMessages();
        return true;
    }

    private void HandleAppendEntries(Message m)
    {
        if (m.Index < Log.Committed)
        {
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = Log.Committed });
            return;
        }

        var lastNew = Log.MaybeAppend(m.Index, m.LogTerm, m.Commit, m.Entries);
        if (lastNew is { } last)
        {
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = last });
            return;
        }

        // Our log does not match at m.Index. Hint the last index whose term is at most the
        // leader's term there, so the leader can skip a whole term's worth of entries per
        // round trip instead of one index (thesis §5.3's optimisation, etcd-raft's findConflictByTerm).
        var (hintIndex, hintTerm) = Log.FindConflictByTerm(Math.Min(m.Index, Log.LastIndex), m.LogTerm);
        Send(new Message
        {
            Type = MessageType.AppendResponse,
            To = m.From,
            Index = m.Index,
            Reject = true,
            RejectHint = hintIndex,
            LogTerm = hintTerm,
        });
    }

    private void HandleHeartbeat(Message m)
    {
        // The leader sends min(its commit, our match), so this never passes our log.
        Log.CommitTo(m.Commit);
        if ((m.Flags & MessageFlags.Quiesce) != 0 && m.From == Lead
            && Log.LastIndex == m.Index && Log.MatchTerm(m.Index, m.LogTerm) && Log.Committed == m.Index)
        {
            // Quiet, holding the whole log committed: the leader counts this heartbeat as told,
            // so no answer (it would be half of a write's messages to an idle group).
            Quiesced = true;
            return;
        }

        // Not quiet: a member that lacks entries is sent them on this answer.
        Send(new Message { Type = MessageType.HeartbeatResponse, To = m.From, Context = m.Context });
    }

    private void HandleAppendResponse(Message m, Progress pr)
    {
        pr.RecentActive = true;
        if (m.Reject)
        {
            var nextProbe = m.RejectHint;
            if (m.LogTerm > 0)
            {
                // Skip to the last index where our term is at most the follower's hinted term.
                nextProbe = Log.FindConflictByTerm(m.RejectHint, m.LogTerm).Index;
            }

            if (pr.MaybeDecrTo(m.Index, nextProbe))
            {
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }

                SendAppend(m.From, sendIfEmpty: true);
            }

            return;
        }

        if (!pr.MaybeUpdate(m.Index))
        {
            return;
        }

        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match + 1 >= Log.FirstIndex:
                // The follower caught up through the snapshot (or on its own); append from here.
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.Inflights.FreeLE(m.Index);
                break;
        }

        if (MaybeCommit())
        {
            OweCommitNotice();
        }
        else if (m.From != Id)
        {
            // The window moved: send what is waiting.
            while (SendAppend(m.From, sendIfEmpty: false))
            {
            }
        }

        if (m.From == LeadTransferee && pr.Match == Log.LastIndex)
        {
            SendTimeoutNow(m.From);
        }
    }

    private ProposalResult StepLeader(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Beat:
                BroadcastHeartbeat(MessageFlags.None);
                return ProposalResult.Accepted;
            case MessageType.CheckQuorum:
                CheckQuorumActive();
                return ProposalResult.Accepted;
            case MessageType.Propose:
                return HandleForwardedProposal(m);
            case MessageType.ReadIndex:
                HandleReadIndexAtLeader(m);
                return ProposalResult.Accepted;
            case MessageType.TransferLeader:
                return HandleTransferLeader(m.Context);
        }

        var pr = Tracker.Get(m.From);
        if (pr is null)
        {
            return ProposalResult.Accepted;
        }

        switch (m.Type)
        {
            case MessageType.AppendResponse:
                HandleAppendResponse(m, pr);
                break;
            case MessageType.HeartbeatResponse:
                HandleHeartbeatResponse(m, pr);
                break;
            case MessageType.SnapshotStatus:
                HandleSnapshotStatus(m, pr);
                break;
            case MessageType.Unreachable:
                // An append was probably lost; go back to probing so the next one finds out.
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }

                break;
        }

        return ProposalResult.Accepted;
    }

    private ProposalResult HandleForwardedProposal(Message m)
    {
        if (m.Entries.Length == 0)
        {
            return ProposalResult.Empty;
        }

        foreach (var e in m.Entries)
        {
            var r = ProposeLocal(e.Type, e.Data);
            if (r != ProposalResult.Accepted)
            {
                return r;
            }
        }

        return ProposalResult.Accepted;
    }

    private ProposalResult StepCandidate(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Propose:
                return ProposalResult.NoLeader;
            case MessageType.ReadIndex:
                return ProposalResult.NoLeader;
            case MessageType.Append:
                // A leader of our term exists (§5.2): we lost.
                BecomeFollower(m.Term, m.From);
                HandleAppendEntries(m);
                break;
            case MessageType.Heartbeat:
                BecomeFollower(m.Term, m.From);
                HandleHeartbeat(m);
                break;
            case MessageType.Snapshot:
                BecomeFollower(m.Term, m.From);
                HandleSnapshot(m);
                break;
            case MessageType.VoteResponse:
            case MessageType.PreVoteResponse:
                HandleVoteResponse(m);
                break;
            case MessageType.TransferLeader:
                return ProposalResult.NoLeader;
        }

        return ProposalResult.Accepted;
    }

    private ProposalResult StepFollower(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Propose:
                if (Lead == 0)
                {
                    return ProposalResult.NoLeader;
                }

                if (_disableProposalForwarding)
                {
                    return ProposalResult.ForwardingDisabled;
                }

                Send(new Message { Type = MessageType.Propose, To = Lead, Entries = m.Entries });
                break;
            case MessageType.Append:
                _electionElapsed = 0;
                Lead = m.From;
                HandleAppendEntries(m);
                break;
            case MessageType.Heartbeat:
                _electionElapsed = 0;
                Lead = m.From;
                HandleHeartbeat(m);
                break;
            case MessageType.Snapshot:
                _electionElapsed = 0;
                Lead = m.From;
                HandleSnapshot(m);
                break;
            case MessageType.TransferLeader:
                if (Lead == 0)
                {
                    return ProposalResult.NoLeader;
                }

                Send(new Message { Type = MessageType.TransferLeader, To = Lead, Context = m.Context });
                break;
            case MessageType.TimeoutNow:
                // Our leader asks us to take over: campaign at once, breaking leases.
                Hup(transfer: true);
                break;
            case MessageType.ReadIndex:
                if (Lead == 0)
                {
                    return ProposalResult.NoLeader;
                }

                Send(new Message { Type = MessageType.ReadIndex, To = Lead, Context = m.Context });
                break;
            case MessageType.ReadIndexResponse:
                ReadStates.Add(new ReadState(m.Index, m.Context));
                break;
        }

        return ProposalResult.Accepted;
    }
}
