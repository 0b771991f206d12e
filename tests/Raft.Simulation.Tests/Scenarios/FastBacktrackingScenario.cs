using MultiRaft.Raft.Simulation.Tests.Harness;

namespace MultiRaft.Raft.Simulation.Tests.Scenarios;

/// <summary>
/// TESTING.md scenario 5 (6.824 Backup, etcd-raft): two minority leaders each build 50
/// divergent entries; the converging leader fixes each follower's log in a few append rounds,
/// because a rejection hints where the follower's terms allow a match (one round trip per term,
/// not per entry).
/// </summary>
public sealed class FastBacktrackingScenario
{
    private const int Divergent = 50;

    // Rejected appends a follower may send before its log matches: one per conflicting term
    // plus a stale probe or two; walking back one entry at a time would take 50.
    private const int MaxRejections = 4;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Fifty_divergent_entries_are_repaired_in_a_few_append_rounds(int seed)
    {
        var c = new SimCluster(new SimOptions { Seed = seed, Nodes = 5 });
        var a = c.WaitForLeader();
        var others = c.Running.Where(n => n != a).Select(n => n.Id).ToList();
        var b = others[0];

        // The first minority leader builds 50 entries no majority will take.
        c.Net.Partition([a.Id, b], others.Skip(1).ToList());
        for (var i = 0; i < Divergent; i++)
        {
            c.Propose(a.Id);
        }

        c.RunFor(50);

        // The majority elects a leader and commits 50 entries.
        Assert.True(c.RunUntil(() => c.Leader is { } l && others.Skip(1).Contains(l.Id), 2_000));
        var l2 = c.Leader!;
        var rest = others.Skip(1).Where(id => id != l2.Id).ToList();
        var acked = c.Checker.AcknowledgedIds.Count;
        for (var i = 0; i < Divergent; i++)
        {
            c.Propose(l2.Id);
        }

        Assert.True(c.RunUntil(() => c.Checker.AcknowledgedIds.Count >= acked + Divergent, 1_000));

        // The second minority leader builds 50 more that only one follower takes.
        var d = rest[0];
        var e = rest[1];
        c.Net.Partition([l2.Id, d], [a.Id, b, e]);
        for (var i = 0; i < Divergent; i++)
        {
            c.Propose(l2.Id);
        }

        c.RunFor(50);

        // e holds the committed entries, so it wins and repairs a and b.
        var rejections = new List<Message>();
        c.Net.Recorder = rejections;
        Assert.True(c.RunUntil(() => c.Leader is { } l && l.Id == e && c[a.Id].Running.LastIndex == l.Running.LastIndex
            && c[b].Running.LastIndex == l.Running.LastIndex && c[b].Running.Committed == l.Running.Committed, 3_000), c.ToString());
        AssertFewRejections(rejections, e, a.Id, b);

        // Healing: e repairs the second minority's 50 entries too.
        rejections.Clear();
        c.Net.Heal();
        Assert.True(c.RunUntil(() => c.Checker.Converged(out _), 3_000), c.ToString());
        AssertFewRejections(rejections, e, l2.Id, d);
        c.Checker.AssertConverged();
    }

    private static void AssertFewRejections(List<Message> sent, ulong leader, params ulong[] followers)
    {
        foreach (var f in followers)
        {
            var n = sent.Count(m => m.Type == MessageType.AppendResponse && m.Reject && m.From == f && m.To == leader);
            Assert.True(n <= MaxRejections, $"member {f} rejected {n} appends before its log matched (bound {MaxRejections})");
        }
    }
}
