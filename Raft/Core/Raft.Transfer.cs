namespace MultiRaft.Raft;

/// <summary>Leadership transfer (thesis §3.10).</summary>
internal sealed partial class Raft
{
    private ProposalResult HandleTransferLeader(ulong transferee)
    {
        var pr = Tracker.Get(transferee);
        if (pr is null || pr.IsLearner)
        {
            return ProposalResult.NotAMember;
        }

        if (LeadTransferee != 0)
        {
            if (LeadTransferee == transferee)
            {
                return ProposalResult.Accepted;
            }

            AbortLeaderTransfer();
        }

        if (transferee == Id)
        {
            return ProposalResult.Accepted;
        }

        // The transfer must finish within an election timeout.
        _electionElapsed = 0;
        LeadTransferee = transferee;
        if (pr.Match == Log.LastIndex)
        {
            SendTimeoutNow(transferee);
        }
        else
        {
            SendAppend(transferee, sendIfEmpty: true);
        }

        return ProposalResult.Accepted;
    }

    private void SendTimeoutNow(ulong to)
    {
        // The transferee may now win votes that leases would refuse, so this term's lease ends.
        _leaseDisabled = true;
        Send(new Message { Type = MessageType.TimeoutNow, To = to });
        if (LeadsWithoutVote)
        {
            // A removed leader steps down once a voter holds its whole log: that voter wins even
            // if this message is lost (its log is at least as up to date as ours, so we vote for it).
            BecomeFollower(Term, 0);
        }
    }

    private void AbortLeaderTransfer() => LeadTransferee = 0;
}
