using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>Randomized election timeouts: uniform over [ElectionTick, 2*ElectionTick).</summary>
public class ElectionTimeoutTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(25)]
    public void TimeoutsCoverExactlyOneToTwoElectionTicks(int electionTick)
    {
        var seen = new SortedSet<int>();
        for (var seed = 0; seed < 50 * electionTick; seed++)
        {
            var m = Nodes.New(1, [1, 2, 3], c =>
            {
                c.ElectionTick = electionTick;
                c.Random = new Random(seed);
            });
            var ticks = 0;
            while (m.Node.Role == RaftRole.Follower)
            {
                m.Node.Tick();
                ticks++;
            }

            seen.Add(ticks);
        }

        Assert.Equal(Enumerable.Range(electionTick, electionTick), seen);
    }

    [Fact]
    public void MembersWithDifferentRandomSourcesTimeOutAtDifferentTicks()
    {
        var members = Enumerable.Range(1, 5).Select(i => Nodes.New((ulong)i, [1, 2, 3, 4, 5])).ToList();
        var firstTick = new Dictionary<ulong, int>();
        for (var t = 1; firstTick.Count < members.Count; t++)
        {
            foreach (var m in members.Where(m => !firstTick.ContainsKey(m.Id)))
            {
                m.Node.Tick();
                if (m.Node.Role != RaftRole.Follower)
                {
                    firstTick[m.Id] = t;
                }
            }
        }

        Assert.True(firstTick.Values.Distinct().Count() > 1);
    }
}
