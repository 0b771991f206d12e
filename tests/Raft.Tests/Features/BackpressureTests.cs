using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Features;

/// <summary>MaxUncommittedEntriesSize: a leader refuses proposals past the cap, and accepts again once entries commit.</summary>
public class BackpressureTests
{
    [Fact]
    public void ProposalsBeyondTheUncommittedCapAreRefusedUntilCommit()
    {
        var net = Network.WithLeader(3, c => c.MaxUncommittedEntriesSize = 300);
        net.Isolate(2);
        net.Isolate(3);
        var payload = new byte[100];

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ProposalResult.Accepted, net[1].Node.Propose(payload));
        }

        var last = net[1].Node.LastIndex;
        Assert.Equal(ProposalResult.TooManyUncommittedBytes, net[1].Node.Propose(payload));
        net.Stabilize();
        Assert.Equal(last, net[1].Node.LastIndex);

        net.Heal();
        net.TickAll(1);
        Assert.Equal(last, net[1].Node.Committed);

        Assert.Equal(ProposalResult.Accepted, net[1].Node.Propose(payload));
    }

    [Fact]
    public void OneEntryLargerThanTheCapIsStillAccepted()
    {
        var net = Network.WithLeader(3, c => c.MaxUncommittedEntriesSize = 300);

        Assert.Equal(ProposalResult.Accepted, net[1].Node.Propose(new byte[1000]));
        Assert.Equal(ProposalResult.TooManyUncommittedBytes, net[1].Node.Propose(new byte[1]));
    }

    [Fact]
    public void WithoutACapProposalsAreAccepted()
    {
        var net = Network.WithLeader(3);
        net.Isolate(2);
        net.Isolate(3);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(ProposalResult.Accepted, net[1].Node.Propose(new byte[100]));
        }
    }
}
