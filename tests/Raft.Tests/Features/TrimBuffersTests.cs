using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>
/// Buffers start empty, grow with traffic and are given back by <see cref="RawNode.TrimBuffers"/>
/// once a member is idle (a silo hosts thousands of members, most of them idle). Trimming
/// changes nothing a peer or the application can see.
/// </summary>
public class TrimBuffersTests
{
    private const int Et = Nodes.ElectionTick;

    /// <summary>
    /// A leader that pipelined six entries to a silent follower 2 (its window grew to 8 slots),
    /// then caught it up and quiesced the group.
    /// </summary>
    private static Network BusyThenQuiesced()
    {
        var net = Network.WithLeader(3);
        PipelineToSilentFollower(net, 6);
        var window = net[1].Raft.Tracker.Progress[2].Inflights;
        Assert.Equal((6, 8), (window.Count, window.Capacity));
        net.Unignore(2);
        // The first round catches 2 up; the second is the one it answers knowing the commit.
        net.TickAll(2);
        Assert.True(net[1].Node.TryQuiesce());
        net.Stabilize();
        return net;
    }

    /// <summary>
    /// Stops follower 2 and has the leader propose <paramref name="count"/> entries, one at a time,
    /// each through <paramref name="step"/>: every one is another append in 2's window.
    /// </summary>
    /// <param name="net">A group of three led by member 1.</param>
    /// <param name="count">How many entries to propose.</param>
    /// <param name="step">Runs each proposal (and whatever the caller does after it); by default just runs it.</param>
    private static void PipelineToSilentFollower(Network net, int count, Action<Action>? step = null)
    {
        net.Ignore(2);
        for (var i = 0; i < count; i++)
        {
            var command = $"x{i}";
            (step ?? (propose => propose()))(() => net.Propose(1, command));
        }
    }

    private static void AssertTrimmed(Member m)
    {
        var r = m.Raft;
        Assert.All(r.Tracker.Ids, id => Assert.Equal(0, r.Tracker.Progress[id].Inflights.Capacity));
        Assert.Equal(0, r.Log.Unstable.Capacity);
        Assert.Equal((0, 0, 0), (r.Msgs.Capacity, r.MsgsAfterAppend.Capacity, r.ReadStates.Capacity));
        Assert.Equal(0, r.RoundRingCapacity);
    }

    [Fact]
    public void InflightWindowsStayEmptyUntilUsed()
    {
        var net = Network.WithLeader(3);

        // Followers track no window; the leader's grow only once it pipelines.
        foreach (var m in net.Members)
        {
            Assert.All(m.Raft.Tracker.Ids, id => Assert.Equal(0, m.Raft.Tracker.Progress[id].Inflights.Capacity));
        }

        net.Propose(1, "x");

        Assert.Equal([0, 4, 4], net[1].Raft.Tracker.Ids.Select(id => net[1].Raft.Tracker.Progress[id].Inflights.Capacity));
    }

    [Fact]
    public void TrimmedQuiescedGroupHoldsNoBuffers()
    {
        var net = BusyThenQuiesced();
        Assert.Equal(8, net[1].Raft.Tracker.Progress[2].Inflights.Capacity);

        foreach (var m in net.Members)
        {
            m.Node.TrimBuffers();
        }

        Assert.All(net.Members, AssertTrimmed);
    }

    [Fact]
    public void TrimKeepsAWindowThatHoldsMessages()
    {
        var net = Network.WithLeader(3);
        PipelineToSilentFollower(net, 5);

        net[1].Node.TrimBuffers();

        var window = net[1].Raft.Tracker.Progress[2].Inflights;
        Assert.Equal((5, 8), (window.Count, window.Capacity));
        Assert.Equal(0, net[1].Raft.Tracker.Progress[3].Inflights.Capacity);
    }

    [Fact]
    public void TrimmedGroupCommitsTheNextProposalEverywhere()
    {
        var net = BusyThenQuiesced();
        foreach (var m in net.Members)
        {
            m.Node.TrimBuffers();
        }

        net.Propose(1, "after");

        Assert.All(net.Members, m => Assert.Equal(["x0", "x1", "x2", "x3", "x4", "x5", "after"], m.AppliedCommands));
    }

    [Fact]
    public void TrimmingAfterEveryStepChangesNoMessageAndNoReady()
    {
        var plain = Run(trim: false);
        var trimmed = Run(trim: true);

        Assert.Equal(plain, trimmed);
        Assert.True(plain.Count > 50, $"only {plain.Count} lines of trace");
    }

    [Fact]
    public void SafeReadLeaderNeverAllocatesTheLeaseRing()
    {
        var net = Network.WithLeader(3);
        net[1].Node.ReadIndex(1);
        net.Stabilize();
        net.TickAll(Et);

        Assert.All(net.Members, m => Assert.Equal(0, m.Raft.RoundRingCapacity));
    }

    [Fact]
    public void QuiescedLeaseLeaderReleasesItsRingAndRegainsTheLeaseOnWake()
    {
        var (net, leader) = Network.WithLeaseLeader();
        Assert.True(leader.Node.LeaseValid);
        Assert.Equal(64, leader.Raft.RoundRingCapacity);

        Assert.True(leader.Node.TryQuiesce());
        net.Stabilize();
        leader.Node.TrimBuffers();
        Assert.Equal(0, leader.Raft.RoundRingCapacity);

        leader.Node.Wake();
        Assert.False(leader.Node.LeaseValid);
        net.Stabilize();

        Assert.True(leader.Node.LeaseValid);
        Assert.Equal(64, leader.Raft.RoundRingCapacity);
    }

    [Fact]
    public void LeaseLeaderKeepsItsRingWhileARoundCanStillGrantTheLease()
    {
        var (_, leader) = Network.WithLeaseLeader();

        leader.Node.TrimBuffers();

        Assert.Equal(64, leader.Raft.RoundRingCapacity);
        Assert.True(leader.Node.LeaseValid);
    }

    /// <summary>Every Ready, message and final member state of one scripted run.</summary>
    private static List<string> Run(bool trim)
    {
        var lines = new List<string>();
        var net = Network.WithLeader(3);
        net.Trace = lines.Add;
        void Step(Action act)
        {
            act();
            if (trim)
            {
                foreach (var m in net.Members)
                {
                    m.Node.TrimBuffers();
                }
            }
        }

        PipelineToSilentFollower(net, 6, Step);
        net.Unignore(2);
        Step(() => net.TickAll(1));
        Step(() =>
        {
            net[1].Node.ReadIndex(7);
            net.Stabilize();
        });
        Step(() => net.TickAll(1));
        Step(() =>
        {
            Assert.True(net[1].Node.TryQuiesce());
            net.Stabilize();
        });
        Step(() => net.Propose(1, "b"));
        Step(() => net.TickAll(3));
        lines.AddRange(net.Members.Select(Describe.Member));
        lines.AddRange(net[1].ReadStates.Select(rs => rs.ToString()));
        return lines;
    }
}
