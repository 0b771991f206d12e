using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.QuorumFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Joint consensus: both halves must agree (thesis §4.3).</summary>
public class JointConfigTests
{
    private static JointConfig Joint(ulong[] incoming, ulong[] outgoing) =>
        new(new MajorityConfig(incoming), new MajorityConfig(outgoing));

    public static TheoryData<ulong[], ulong[], ulong[], ulong> CommittedCases => new()
    {
        // Acks are for ids 1..5 in order. Not joint: the incoming half alone.
        { [1, 2, 3], [], [5, 4, 3, 0, 0], 4 },
        // Joint: the smaller of the halves.
        { [1, 2, 3], [3, 4, 5], [9, 9, 3, 2, 1], 2 },
        { [3, 4, 5], [1, 2, 3], [9, 9, 3, 2, 1], 2 },
        { [1, 2, 3], [1, 2, 3], [9, 5, 1, 0, 0], 5 },
        { [1], [2], [5, 3, 0, 0, 0], 3 },
        { [1, 2, 3], [4], [0, 0, 0, 8, 0], 0 },
        { [1, 2, 3], [1, 2], [7, 6, 6, 0, 0], 6 },
    };

    [Theory]
    [MemberData(nameof(CommittedCases))]
    public void CommittedIndex_IsTheMinimumOfBothHalves(ulong[] incoming, ulong[] outgoing, ulong[] acks, ulong want)
    {
        var j = Joint(incoming, outgoing);

        Assert.Equal(want, j.CommittedIndex(Acks([1, 2, 3, 4, 5], acks)));
    }

    public static TheoryData<string, VoteResult> VoteCases => new()
    {
        // Incoming (1), outgoing (2): each letter is one half's only voter.
        { "yy", VoteResult.Won },
        { "y_", VoteResult.Pending },
        { "_y", VoteResult.Pending },
        { "__", VoteResult.Pending },
        { "yn", VoteResult.Lost },
        { "ny", VoteResult.Lost },
        { "n_", VoteResult.Lost },
        { "_n", VoteResult.Lost },
        { "nn", VoteResult.Lost },
    };

    [Theory]
    [MemberData(nameof(VoteCases))]
    public void Vote_WonOnlyIfBothWonLostIfEitherLost(string votes, VoteResult want)
    {
        var j = Joint([1], [2]);

        Assert.Equal(want, j.Vote(Votes([1, 2], votes)));
    }

    [Theory]
    [InlineData("yy_", VoteResult.Won)]
    [InlineData("nn_", VoteResult.Lost)]
    [InlineData("yn_", VoteResult.Pending)]
    public void Vote_WithoutAnOutgoingHalfIsTheIncomingResult(string votes, VoteResult want)
    {
        var j = Joint([1, 2, 3], []);

        Assert.False(j.IsJoint);
        Assert.Equal(want, j.Vote(Votes([1, 2, 3], votes)));
    }

    [Fact]
    public void Vote_SharedVotersCountInBothHalves()
    {
        // (1 2 3) && (3 4 5): 3's vote is counted twice; 1, 2 win the incoming half, 4 loses nothing yet.
        var j = Joint([1, 2, 3], [3, 4, 5]);

        Assert.Equal(VoteResult.Pending, j.Vote(Votes([1, 2, 3, 4, 5], "yyy__")));
        Assert.Equal(VoteResult.Won, j.Vote(Votes([1, 2, 3, 4, 5], "y_yy_")));
        Assert.Equal(VoteResult.Lost, j.Vote(Votes([1, 2, 3, 4, 5], "yynn_")));
    }

    [Fact]
    public void AllIds_AreEveryVoterOnceSorted()
    {
        var j = Joint([5, 1, 3], [3, 4, 2]);

        Assert.Equal(new ulong[] { 1, 2, 3, 4, 5 }, j.AllIds());
        Assert.True(j.Contains(4));
        Assert.False(j.Contains(6));
    }
}
