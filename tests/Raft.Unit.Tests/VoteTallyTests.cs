using MultiRaft.Raft;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>An election's votes: counted while it runs, gone (no dictionary kept) once the next starts.</summary>
public class VoteTallyTests
{
    private static ProgressTracker Tracker()
    {
        var t = new ProgressTracker(4, 1000);
        var cs = new ConfState([1UL, 2, 3]);
        t.Set(TrackerConfig.From(cs), t.NewProgress(cs, 1));
        return t;
    }

    [Fact]
    public void NoVotes_IsPending()
    {
        var t = Tracker();

        Assert.Empty(t.Votes);
        Assert.Equal((0, 0, VoteResult.Pending), t.TallyVotes());
    }

    [Fact]
    public void AMajorityGranted_Wins_AndTheFirstVoteOfEachMemberCounts()
    {
        var t = Tracker();

        t.RecordVote(1, true);
        t.RecordVote(2, false);
        t.RecordVote(2, true);
        t.RecordVote(3, true);

        Assert.Equal((2, 1, VoteResult.Won), t.TallyVotes());
    }

    [Fact]
    public void Reset_ForgetsTheVotes_AndANewElectionCountsAfresh()
    {
        var t = Tracker();
        t.RecordVote(1, true);
        t.RecordVote(2, true);

        t.ResetVotes();

        Assert.Empty(t.Votes);
        Assert.Equal((0, 0, VoteResult.Pending), t.TallyVotes());
        t.RecordVote(2, false);
        t.RecordVote(3, false);
        Assert.Equal((0, 2, VoteResult.Lost), t.TallyVotes());
    }
}
