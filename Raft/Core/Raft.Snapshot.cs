namespace MultiRaft.Raft;

/// <summary>Sending and installing snapshots (§7).</summary>
internal sealed partial class Raft
{
    private bool SendSnapshot(ulong to, Progress pr)
    {
        if (!pr.RecentActive)
        {
            // Do not spend a snapshot on a member we have not heard from lately.
            return false;
        }

        var snapshot = Log.GetSnapshot();
        if (snapshot is null || snapshot.IsEmpty)
        {
            // The application is still making one; a later heartbeat response retries.
            return false;
        }

        pr.BecomeSnapshot(snapshot.Index);
        Send(new Message { Type = MessageType.Snapshot, To = to, Snapshot = snapshot });
        return true;
    }

    private void HandleSnapshot(Message m)
    {
        var s = m.Snapshot!;
        if (Restore(s))
        {
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = Log.LastIndex });
        }
        else
        {
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = Log.Committed });
        }
    }

    /// <summary>Installs a snapshot unless our log already has it; true when installed.</summary>
    private bool Restore(Snapshot s)
    {
        if (s.Index <= Log.Committed)
        {
            return false;
        }

        if (Role != RaftRole.Follower)
        {
            // Only a follower installs snapshots; a leader is never sent one in its own term.
            BecomeFollower(Term + 1, 0);
            return false;
        }

        // A snapshot whose membership does not include us is still installed: a member added
        // after the snapshot was taken learns of its own addition from the entries that follow.
        // Until then it is not promotable, so it cannot campaign.
        if (Log.MatchTerm(s.Index, s.Term))
        {
            // We have the entries already: fast-forward commit instead.
            Log.CommitTo(s.Index);
            return false;
        }

        Log.Restore(s);
        ConfigureFrom(s.ConfState);
        return true;
    }

    private static void HandleSnapshotStatus(Message m, Progress pr)
    {
        if (pr.State != ProgressState.Snapshot)
        {
            return;
        }

        if (m.Reject)
        {
            pr.PendingSnapshot = 0;
        }

        pr.BecomeProbe();

        // Success: wait for the follower's append response before sending more. Failure: wait
        // for a heartbeat response before trying again.
        pr.MsgAppFlowPaused = true;
    }
}
