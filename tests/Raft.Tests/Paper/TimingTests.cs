using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Paper;

/// <summary>Raft paper §5.6: randomized election timeouts make split votes rare.</summary>
public class TimingTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    [Fact]
    public void ElectionTimeoutIsRandomizedBetweenOneAndTwoTimeouts_5_6()
    {
        var seen = new HashSet<int>();
        for (var seed = 0; seed < 200; seed++)
        {
            var m = Nodes.New(1, Three, c =>
            {
                c.PreVote = false;
                c.Random = new Random(seed);
            });
            var ticks = 0;
            while (m.Node.Role == RaftRole.Follower)
            {
                m.Node.Tick();
                ticks++;
            }

            Assert.InRange(ticks, Nodes.ElectionTick, (2 * Nodes.ElectionTick) - 1);
            seen.Add(ticks);
        }

        // Every value of the range turns up: the timeout is spread over it, not fixed.
        Assert.Equal(Nodes.ElectionTick, seen.Count);
    }

    [Fact]
    public void TimeoutIsDrawnAgainForEachElection_5_6()
    {
        var m = Nodes.New(1, Three, c => c.PreVote = false);
        var gaps = new List<int>();
        var ticks = 0;
        while (gaps.Count < 10)
        {
            var term = m.Node.Term;
            m.Node.Tick();
            ticks++;
            if (m.Node.Term != term)
            {
                gaps.Add(ticks);
                ticks = 0;
            }
        }

        Assert.All(gaps, g => Assert.InRange(g, Nodes.ElectionTick, (2 * Nodes.ElectionTick) - 1));
        Assert.True(gaps.Distinct().Count() > 1, $"every election waited {gaps[0]} ticks");
    }
}
