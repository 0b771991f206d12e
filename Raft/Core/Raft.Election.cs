namespace MultiRaft.Raft;

/// <summary>Elections (§5.2), PreVote and CheckQuorum (thesis §9.6).</summary>
internal sealed partial class Raft
{
    private void TickElection()
    {
        _electionElapsed++;
        if (!PastElectionTimeout)
        {
            return;
        }

        if (Promotable)
        {
            _electionElapsed = 0;
            Step(new Message { Type = MessageType.Hup, From = Id });
        }
        else if (Lead != 0 && IsLearner && _electionElapsed % _randomizedElectionTimeout == 0)
        {
            // Awake and unheard from: a quiesce heartbeat that would have quieted this learner
            // was lost, and its leader, counting it told, quiesced. Ask it, once a timeout. The
            // elapsed time runs on: past it, this member no longer refuses a vote on its leader's
            // behalf (one that is being promoted may be needed to elect the next).
            Send(new Message { Type = MessageType.HeartbeatResponse, To = Lead, Flags = MessageFlags.Awake });
        }
    }

    private void TickHeartbeat()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        if (_electionElapsed >= _electionTimeout)
        {
            _electionElapsed = 0;
            if (_checkQuorum)
            {
                Step(new Message { Type = MessageType.CheckQuorum, From = Id });
            }

            // A transfer that did not finish within an election timeout is abandoned.
            if (Role == RaftRole.Leader && LeadTransferee != 0)
            {
                AbortLeaderTransfer();
            }
        }

        if (Role != RaftRole.Leader)
        {
            return;
        }

        if (_heartbeatElapsed >= _heartbeatTimeout)
        {
            _heartbeatElapsed = 0;
            Step(new Message { Type = MessageType.Beat, From = Id });
        }

        HandOverIfRemoved();
        MaybeAutoLeave();
    }

    private void Hup(bool transfer)
    {
        if (Role == RaftRole.Leader)
        {
            return;
        }

        if (!Promotable)
        {
            return;
        }

        // A membership change committed but not yet applied could make our view of the voters
        // wrong; wait until it is applied.
        if (HasUnappliedConfChanges())
        {
            return;
        }

        Campaign(transfer ? CampaignKind.Transfer : _preVote ? CampaignKind.PreElection : CampaignKind.Election);
    }

    private bool HasUnappliedConfChanges()
    {
        if (Log.Applied >= Log.Committed)
        {
            return false;
        }

        var scratch = new List<Entry>();
        Log.Slice(Math.Max(Log.Applied + 1, Log.FirstIndex), Log.Committed + 1, long.MaxValue, scratch);
        foreach (var e in scratch)
        {
            if (e.Type == EntryType.ConfChange)
            {
                return true;
            }
        }

        return false;
    }

    private enum CampaignKind : byte
    {
        PreElection,
        Election,
        Transfer,
    }

    private void Campaign(CampaignKind kind)
    {
        ulong term;
        MessageType voteType;
        if (kind == CampaignKind.PreElection)
        {
            BecomePreCandidate();
            voteType = MessageType.PreVote;
            term = Term + 1;
        }
        else
        {
            BecomeCandidate();
            voteType = MessageType.Vote;
            term = Term;
        }

        var flags = kind == CampaignKind.Transfer ? MessageFlags.Transfer : MessageFlags.None;
        foreach (var id in Tracker.Config.Voters.AllIds())
        {
            if (id == Id)
            {
                // Our own vote counts only once it is durable, like anyone's.
                Send(new Message { Type = VoteResponseType(voteType), To = Id, Term = term });
                continue;
            }

            Send(new Message
            {
                Type = voteType,
                To = id,
                Term = term,
                Index = Log.LastIndex,
                LogTerm = Log.LastTerm,
                Flags = flags,
            });
        }
    }

    private static MessageType VoteResponseType(MessageType t) =>
        t == MessageType.Vote ? MessageType.VoteResponse : MessageType.PreVoteResponse;

    /// <summary>§5.2, §5.4.1: one vote per term, only for a log at least as up to date as ours.</summary>
    private void HandleVoteRequest(Message m)
    {
        // We may vote again for the one we voted for; otherwise only with no vote and no leader
        // in this term. A pre-vote for a higher term may always be granted.
        var canVote = Vote == m.From
            || (Vote == 0 && Lead == 0)
            || (m.Type == MessageType.PreVote && m.Term > Term);
        if (canVote && Log.IsUpToDate(m.Index, m.LogTerm))
        {
            // The response carries the candidate's term so it is not ignored as stale.
            Send(new Message { Type = VoteResponseType(m.Type), To = m.From, Term = m.Term });
            if (m.Type == MessageType.Vote)
            {
                _electionElapsed = 0;
                Vote = m.From;
            }
        }
        else
        {
            // The refusal carries our commit index and its term: a candidate whose log holds that
            // entry learns it is committed (see LearnCommitFromRefusal).
            Send(new Message
            {
                Type = VoteResponseType(m.Type),
                To = m.From,
                Term = Term,
                Reject = true,
                Commit = Log.Committed,
                LogTerm = Log.TermOrZero(Log.Committed),
            });
        }
    }

    /// <summary>
    /// A voter that refused us told us its commit index c and the term of its entry at c. If our
    /// log has the same entry, the Log Matching property makes our logs identical up to c, so
    /// those entries are committed for us too. This lets voters that never heard a membership
    /// change commit (its leader was removed and stepped down) apply it and elect a leader in
    /// the new configuration, instead of waiting for a vote the old configuration still needs.
    /// </summary>
    private void LearnCommitFromRefusal(Message m)
    {
        if (m.Reject && m.Commit > Log.Committed && m.LogTerm != 0 && Log.MatchTerm(m.Commit, m.LogTerm))
        {
            Log.CommitTo(m.Commit);
        }
    }

    private VoteResult Poll(ulong id, bool granted)
    {
        Tracker.RecordVote(id, granted);
        return Tracker.TallyVotes().Result;
    }

    private void HandleVoteResponse(Message m)
    {
        var expected = Role == RaftRole.PreCandidate ? MessageType.PreVoteResponse : MessageType.VoteResponse;
        if (m.Type != expected)
        {
            return;
        }

        switch (Poll(m.From, !m.Reject))
        {
            case VoteResult.Won:
                if (Role == RaftRole.PreCandidate)
                {
                    Campaign(CampaignKind.Election);
                }
                else
                {
                    BecomeLeader();
                    BroadcastAppend();
                }

                break;
            case VoteResult.Lost:
                // A pre-candidate keeps its term; a candidate stays in its new term.
                BecomeFollower(Term, 0);
                break;
        }
    }

    private void CheckQuorumActive()
    {
        if (!Tracker.QuorumActive(Id))
        {
            BecomeFollower(Term, 0);
            return;
        }

        foreach (var id in Tracker.Ids)
        {
            if (id != Id)
            {
                Tracker.Progress[id].RecentActive = false;
            }
        }
    }
}
