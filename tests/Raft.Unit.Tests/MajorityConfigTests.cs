using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.QuorumFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Simple-majority commit index and election outcome.</summary>
public class MajorityConfigTests
{
    public static TheoryData<ulong[], ulong[], ulong> CommittedCases => new()
    {
        { [1], [0], 0 },
        { [1], [5], 5 },
        { [1, 2], [5, 3], 3 },
        { [1, 2], [5, 0], 0 },
        { [1, 2, 3], [5, 3, 1], 3 },
        { [1, 2, 3], [5, 5, 0], 5 },
        { [1, 2, 3], [5, 0, 0], 0 },
        { [1, 2, 3], [2, 2, 2], 2 },
        { [1, 2, 3, 4], [1, 2, 3, 4], 2 },
        { [1, 2, 3, 4], [4, 4, 4, 1], 4 },
        { [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 3 },
        { [5, 4, 3, 2, 1], [5, 4, 3, 2, 1], 3 },
        { [1, 2, 3, 4, 5], [9, 9, 1, 1, 1], 1 },
    };

    [Theory]
    [MemberData(nameof(CommittedCases))]
    public void CommittedIndex(ulong[] voters, ulong[] acked, ulong want)
    {
        var c = new MajorityConfig(voters);

        Assert.Equal(want, c.CommittedIndex(Acks(voters, acked)));
    }

    [Fact]
    public void CommittedIndex_OfNoVotersIsUnbounded()
    {
        // So that an empty outgoing half never holds back the incoming one.
        Assert.Equal(ulong.MaxValue, MajorityConfig.Empty.CommittedIndex(new AckMap(new Dictionary<ulong, ulong>())));
    }

    [Fact]
    public void CommittedIndex_CountsMissingVotersAsZeroAndIgnoresNonVoters()
    {
        var c = new MajorityConfig([1UL, 2, 3]);
        var acks = new AckMap(new Dictionary<ulong, ulong> { [1] = 7, [4] = 9, [5] = 9 });

        Assert.Equal(0UL, c.CommittedIndex(acks));
    }

    [Fact]
    public void CommittedIndex_WithMoreVotersThanTheStackBuffer()
    {
        var ids = Enumerable.Range(1, 17).Select(i => (ulong)i).ToArray();
        var c = new MajorityConfig(ids);

        // Each acks its own id; 9 of 17 hold 9 or more.
        Assert.Equal(9UL, c.CommittedIndex(Acks(ids, ids)));
    }

    [Fact]
    public void Ids_AreSortedAndDistinct()
    {
        var c = new MajorityConfig([3UL, 1, 3, 2]);

        Assert.Equal(new ulong[] { 1, 2, 3 }, c.Ids);
        Assert.True(c.Contains(2));
        Assert.False(c.Contains(4));
    }

    public static TheoryData<ulong[], string, VoteResult> VoteCases => new()
    {
        { [1], "_", VoteResult.Pending },
        { [1], "y", VoteResult.Won },
        { [1], "n", VoteResult.Lost },
        { [1, 2], "y_", VoteResult.Pending },
        { [1, 2], "yn", VoteResult.Lost },
        { [1, 2], "yy", VoteResult.Won },
        { [1, 2, 3], "___", VoteResult.Pending },
        { [1, 2, 3], "yn_", VoteResult.Pending },
        { [1, 2, 3], "yy_", VoteResult.Won },
        { [1, 2, 3], "nn_", VoteResult.Lost },
        { [1, 2, 3], "yny", VoteResult.Won },
        { [1, 2, 3, 4], "yy__", VoteResult.Pending },
        { [1, 2, 3, 4], "nn__", VoteResult.Lost },
        { [1, 2, 3, 4], "yyn_", VoteResult.Pending },
        { [1, 2, 3, 4], "yyy_", VoteResult.Won },
        { [1, 2, 3, 4, 5], "nnyy_", VoteResult.Pending },
        { [1, 2, 3, 4, 5], "nnnyy", VoteResult.Lost },
    };

    [Theory]
    [MemberData(nameof(VoteCases))]
    public void Vote(ulong[] voters, string votes, VoteResult want)
    {
        var c = new MajorityConfig(voters);

        Assert.Equal(want, c.Vote(Votes(voters, votes)));
    }

    [Fact]
    public void Vote_IgnoresNonVoters()
    {
        var c = new MajorityConfig([1UL, 2, 3]);
        var votes = new Dictionary<ulong, bool> { [1] = true, [4] = true, [5] = true };

        Assert.Equal(VoteResult.Pending, c.Vote(votes));
    }

    [Fact]
    public void Vote_OfNoVotersIsWon()
    {
        Assert.Equal(VoteResult.Won, MajorityConfig.Empty.Vote(new Dictionary<ulong, bool>()));
    }
}
