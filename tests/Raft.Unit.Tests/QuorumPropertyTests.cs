using MultiRaft.Raft;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>
/// The quorum code cross-checked against deliberately naive versions written from the
/// definitions, over many seeded random configurations.
/// </summary>
public class QuorumPropertyTests
{
    private const int Seed = 20261122;
    private const int Runs = 2000;

    /// <summary>The largest index that more than half the voters acknowledged, trying every candidate.</summary>
    private static ulong NaiveCommitted(ulong[] voters, Dictionary<ulong, ulong> acks)
    {
        if (voters.Length == 0)
        {
            return ulong.MaxValue;
        }

        ulong best = 0;
        for (ulong candidate = 0; candidate <= 20; candidate++)
        {
            var holders = voters.Count(v => acks.TryGetValue(v, out var a) && a >= candidate);
            if (holders * 2 > voters.Length)
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>Won when a majority granted; lost when a majority can no longer be reached.</summary>
    private static VoteResult NaiveVote(ulong[] voters, Dictionary<ulong, bool> votes)
    {
        // By convention no voters have nothing to object: an empty outgoing half never blocks.
        if (voters.Length == 0)
        {
            return VoteResult.Won;
        }

        var granted = voters.Count(v => votes.TryGetValue(v, out var g) && g);
        var refused = voters.Count(v => votes.TryGetValue(v, out var g) && !g);
        if (granted * 2 > voters.Length)
        {
            return VoteResult.Won;
        }

        return (voters.Length - refused) * 2 > voters.Length ? VoteResult.Pending : VoteResult.Lost;
    }

    private static ulong[] RandomVoters(Random rng, int min)
    {
        var n = rng.Next(min, 8);
        return Enumerable.Range(1, 9).Select(i => (ulong)i).OrderBy(_ => rng.Next()).Take(n).ToArray();
    }

    [Fact]
    public void MajorityCommittedIndex_MatchesTheNaiveDefinition()
    {
        var rng = new Random(Seed);
        for (var run = 0; run < Runs; run++)
        {
            var voters = RandomVoters(rng, 0);
            // Acks for a random subset of ids, voters or not.
            var acks = Enumerable.Range(1, 9).Where(_ => rng.Next(4) != 0).ToDictionary(i => (ulong)i, _ => (ulong)rng.Next(21));

            var got = new MajorityConfig(voters).CommittedIndex(new AckMap(acks));

            Assert.True(NaiveCommitted(voters, acks) == got, $"run {run}: voters ({string.Join(' ', voters)}) acks {string.Join(' ', acks)} gave {got}");
        }
    }

    [Fact]
    public void MajorityVote_MatchesTheNaiveDefinition()
    {
        var rng = new Random(Seed + 1);
        for (var run = 0; run < Runs; run++)
        {
            var voters = RandomVoters(rng, 0);
            var votes = Enumerable.Range(1, 9).Where(_ => rng.Next(3) != 0).ToDictionary(i => (ulong)i, _ => rng.Next(2) == 0);

            var got = new MajorityConfig(voters).Vote(votes);

            Assert.True(NaiveVote(voters, votes) == got, $"run {run}: voters ({string.Join(' ', voters)}) votes {string.Join(' ', votes)} gave {got}");
        }
    }

    [Fact]
    public void JointCommittedIndex_IsTheNaiveMinimumOfTheHalves()
    {
        var rng = new Random(Seed + 2);
        for (var run = 0; run < Runs; run++)
        {
            var incoming = RandomVoters(rng, 1);
            var outgoing = RandomVoters(rng, 0);
            var acks = Enumerable.Range(1, 9).Where(_ => rng.Next(4) != 0).ToDictionary(i => (ulong)i, _ => (ulong)rng.Next(21));
            var joint = new JointConfig(new MajorityConfig(incoming), new MajorityConfig(outgoing));

            var got = joint.CommittedIndex(new AckMap(acks));

            // An index is committed when it is committed by each non-empty half on its own.
            var want = Math.Min(NaiveCommitted(incoming, acks), NaiveCommitted(outgoing, acks));
            Assert.True(want == got, $"run {run}: {joint} acks {string.Join(' ', acks)} gave {got}, want {want}");
        }
    }

    [Fact]
    public void JointVote_WonOnlyIfBothHalvesWonAndLostIfEitherLost()
    {
        var rng = new Random(Seed + 3);
        for (var run = 0; run < Runs; run++)
        {
            var incoming = RandomVoters(rng, 1);
            var outgoing = RandomVoters(rng, 0);
            var votes = Enumerable.Range(1, 9).Where(_ => rng.Next(3) != 0).ToDictionary(i => (ulong)i, _ => rng.Next(2) == 0);
            var joint = new JointConfig(new MajorityConfig(incoming), new MajorityConfig(outgoing));

            var got = joint.Vote(votes);

            var a = NaiveVote(incoming, votes);
            var b = NaiveVote(outgoing, votes);
            var want = a == VoteResult.Lost || b == VoteResult.Lost ? VoteResult.Lost
                : a == VoteResult.Won && b == VoteResult.Won ? VoteResult.Won
                : VoteResult.Pending;
            Assert.True(want == got, $"run {run}: {joint} votes {string.Join(' ', votes)} gave {got}, want {want}");
        }
    }
}
