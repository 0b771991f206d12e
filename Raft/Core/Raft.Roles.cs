namespace MultiRaft.Raft;

/// <summary>Role changes: the role picks the step and tick functions (<see cref="StepByRole"/>, <see cref="Tick"/>).</summary>
internal sealed partial class Raft
{
    public void BecomeFollower(ulong term, ulong lead)
    {
        Reset(term);
        Lead = lead;
        Role = RaftRole.Follower;
    }

    private void BecomeCandidate()
    {
        if (Role == RaftRole.Leader)
        {
            throw new RaftInvariantException("a leader cannot become a candidate");
        }

        Reset(Term + 1);
        Vote = Id;
        Role = RaftRole.Candidate;
    }

    private void BecomePreCandidate()
    {
        if (Role == RaftRole.Leader)
        {
            throw new RaftInvariantException("a leader cannot become a pre-candidate");
        }

        // Neither the term nor the vote changes: a pre-election that fails leaves no trace.
        Tracker.ResetVotes();
        Lead = 0;
        Role = RaftRole.PreCandidate;
    }

    private void BecomeLeader()
    {
        if (Role == RaftRole.Follower)
        {
            throw new RaftInvariantException("a follower cannot become leader without an election");
        }

        Reset(Term);
        Lead = Id;
        Role = RaftRole.Leader;
        Tracker.Get(Id)?.BecomeReplicate();

        // Conservatively, a change may be pending anywhere in the log we inherited.
        _pendingConfIndex = Log.LastIndex;

        // §5.4.2 / §8: an empty entry of our term lets us commit what earlier leaders left, and
        // confirms reads. It is not counted against the uncommitted-size cap.
        AppendEntry(new Entry(0, 0, ReadOnlyMemory<byte>.Empty));
    }
}
