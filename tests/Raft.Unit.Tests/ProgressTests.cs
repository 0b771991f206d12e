using MultiRaft.Raft;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>The leader's view of one follower: probe, replicate and snapshot states and their transitions.</summary>
public class ProgressTests
{
    private static Progress InState(ProgressState state, ulong match, ulong next, int maxInflight = 4, ulong pendingSnapshot = 0)
    {
        var p = new Progress(next, maxInflight, 0, isLearner: false) { Match = match };
        switch (state)
        {
            case ProgressState.Replicate:
                p.BecomeReplicate();
                p.Next = next;
                break;
            case ProgressState.Snapshot:
                p.BecomeSnapshot(pendingSnapshot);
                break;
            default:
                break;
        }

        return p;
    }

    [Fact]
    public void New_ProbesFromTheGivenNext()
    {
        var p = new Progress(7, 4, 0, isLearner: true);

        Assert.Equal(ProgressState.Probe, p.State);
        Assert.Equal(0UL, p.Match);
        Assert.Equal(7UL, p.Next);
        Assert.True(p.IsLearner);
        Assert.False(p.IsPaused);
    }

    [Fact]
    public void BecomeReplicate_SendsFromAfterTheMatch()
    {
        var p = InState(ProgressState.Probe, 5, 9);
        p.SentEntries(1, 10);

        p.BecomeReplicate();

        Assert.Equal(ProgressState.Replicate, p.State);
        Assert.Equal(6UL, p.Next);
        Assert.False(p.MsgAppFlowPaused);
        Assert.Equal(0, p.Inflights.Count);
    }

    [Fact]
    public void BecomeProbe_FromReplicateProbesAfterTheMatchAndDropsTheWindow()
    {
        var p = InState(ProgressState.Replicate, 5, 6);
        p.SentEntries(3, 30);

        p.BecomeProbe();

        Assert.Equal(ProgressState.Probe, p.State);
        Assert.Equal(6UL, p.Next);
        Assert.Equal(0, p.Inflights.Count);
        Assert.Equal(0L, p.Inflights.Bytes);
    }

    [Theory]
    [InlineData(1UL, 10UL, 11UL)]
    [InlineData(20UL, 10UL, 21UL)]
    [InlineData(10UL, 10UL, 11UL)]
    public void BecomeProbe_FromSnapshotProbesAfterTheSnapshot(ulong match, ulong pending, ulong wantNext)
    {
        var p = InState(ProgressState.Snapshot, match, 2, pendingSnapshot: pending);

        p.BecomeProbe();

        Assert.Equal(ProgressState.Probe, p.State);
        Assert.Equal(wantNext, p.Next);
        Assert.Equal(0UL, p.PendingSnapshot);
    }

    [Fact]
    public void BecomeSnapshot_RecordsThePendingIndexAndPauses()
    {
        var p = InState(ProgressState.Replicate, 3, 8);
        p.SentEntries(2, 20);

        p.BecomeSnapshot(50);

        Assert.Equal(ProgressState.Snapshot, p.State);
        Assert.Equal(50UL, p.PendingSnapshot);
        Assert.Equal(0, p.Inflights.Count);
        Assert.True(p.IsPaused);
    }

    [Fact]
    public void MaybeUpdate_RaisesMatchAndNextButNeverLowersThem()
    {
        var p = InState(ProgressState.Probe, 3, 5);
        p.MsgAppFlowPaused = true;

        Assert.False(p.MaybeUpdate(2));
        Assert.Equal((3UL, 5UL), (p.Match, p.Next));
        Assert.True(p.MsgAppFlowPaused);

        Assert.False(p.MaybeUpdate(3));
        Assert.Equal((3UL, 5UL), (p.Match, p.Next));

        Assert.True(p.MaybeUpdate(4));
        Assert.Equal((4UL, 5UL), (p.Match, p.Next));
        Assert.False(p.MsgAppFlowPaused);

        Assert.True(p.MaybeUpdate(7));
        Assert.Equal((7UL, 8UL), (p.Match, p.Next));
    }

    public static TheoryData<ProgressState, ulong, ulong, ulong, ulong, bool, ulong> DecrCases => new()
    {
        // Replicate: a rejection at or below Match is stale (an old message's answer).
        { ProgressState.Replicate, 5, 10, 5, 5, false, 10 },
        { ProgressState.Replicate, 5, 10, 4, 0, false, 10 },
        // Replicate: a real rejection falls back to just after Match, whatever the hint.
        { ProgressState.Replicate, 5, 10, 9, 9, true, 6 },
        { ProgressState.Replicate, 5, 10, 7, 2, true, 6 },
        // Probe: only the answer to the last probe (Next - 1) counts.
        { ProgressState.Probe, 0, 10, 5, 5, false, 10 },
        { ProgressState.Probe, 0, 10, 10, 5, false, 10 },
        // Probe: the hint moves Next back, bounded by the rejected index and by Match + 1.
        { ProgressState.Probe, 0, 10, 9, 9, true, 9 },
        { ProgressState.Probe, 0, 10, 9, 20, true, 9 },
        { ProgressState.Probe, 0, 10, 9, 3, true, 4 },
        { ProgressState.Probe, 0, 10, 9, 0, true, 1 },
        { ProgressState.Probe, 5, 10, 9, 2, true, 6 },
    };

    [Theory]
    [MemberData(nameof(DecrCases))]
    public void MaybeDecrTo(ProgressState state, ulong match, ulong next, ulong rejected, ulong hint, bool want, ulong wantNext)
    {
        var p = InState(state, match, next);

        Assert.Equal(want, p.MaybeDecrTo(rejected, hint));
        Assert.Equal(wantNext, p.Next);
        Assert.Equal(match, p.Match);
        Assert.Equal(state, p.State);
    }

    [Fact]
    public void MaybeDecrTo_InProbeUnpausesOnlyForTheAnswerToTheLastProbe()
    {
        var p = InState(ProgressState.Probe, 0, 10);
        p.SentEntries(1, 10);
        Assert.True(p.IsPaused);

        p.MaybeDecrTo(5, 5);
        Assert.True(p.IsPaused);

        p.MaybeDecrTo(9, 4);
        Assert.False(p.IsPaused);
        Assert.Equal(5UL, p.Next);
    }

    [Fact]
    public void IsPaused_InProbeWhileAProbeIsOutstanding()
    {
        var p = InState(ProgressState.Probe, 0, 3);
        Assert.False(p.IsPaused);

        p.SentEntries(2, 20);

        Assert.True(p.IsPaused);
        // Probing sends one message at a time and does not advance Next.
        Assert.Equal(3UL, p.Next);
        Assert.Equal(0, p.Inflights.Count);
    }

    [Fact]
    public void IsPaused_InReplicateWhenTheWindowIsFull()
    {
        var p = InState(ProgressState.Replicate, 0, 1, maxInflight: 2);

        p.SentEntries(1, 10);
        Assert.False(p.IsPaused);
        p.SentEntries(3, 30);
        Assert.True(p.IsPaused);

        p.Inflights.FreeLE(1);
        Assert.False(p.IsPaused);
    }

    [Fact]
    public void IsPaused_InReplicateWhenTheByteWindowIsFull()
    {
        var p = new Progress(1, 100, 64, isLearner: false);
        p.BecomeReplicate();

        p.SentEntries(1, 40);
        Assert.False(p.IsPaused);
        p.SentEntries(1, 24);

        Assert.True(p.IsPaused);
    }

    [Fact]
    public void IsPaused_AlwaysInSnapshot()
    {
        var p = InState(ProgressState.Snapshot, 0, 1, pendingSnapshot: 10);

        Assert.True(p.IsPaused);
        p.MaybeUpdate(5);
        Assert.True(p.IsPaused);
    }

    [Fact]
    public void SentEntries_InReplicateAdvancesNextAndFillsTheWindow()
    {
        var p = InState(ProgressState.Replicate, 4, 5);

        p.SentEntries(3, 300);

        Assert.Equal(8UL, p.Next);
        Assert.Equal((1, 300L), (p.Inflights.Count, p.Inflights.Bytes));

        // An empty append (a commit update) takes no window slot.
        p.SentEntries(0, 0);

        Assert.Equal(8UL, p.Next);
        Assert.Equal(1, p.Inflights.Count);

        // The acknowledgement of the last index sent frees the slot.
        p.MaybeUpdate(7);
        p.Inflights.FreeLE(7);
        Assert.Equal(0, p.Inflights.Count);
    }

    [Fact]
    public void SentEntries_InSnapshotThrows()
    {
        var p = InState(ProgressState.Snapshot, 0, 1, pendingSnapshot: 10);

        var ex = Assert.Throws<RaftInvariantException>(() => p.SentEntries(1, 10));

        Assert.Equal("sending entries in state Snapshot", ex.Message);
    }

    [Fact]
    public void Clone_IsIndependentOfTheOriginal()
    {
        var p = InState(ProgressState.Replicate, 4, 5);
        p.SentEntries(2, 20);
        p.RecentActive = true;
        p.AckedRound = 3;

        var c = p.Clone();
        p.MaybeUpdate(6);
        p.Inflights.FreeLE(6);
        p.BecomeProbe();
        p.IsLearner = true;

        Assert.Equal(ProgressState.Replicate, c.State);
        Assert.Equal((4UL, 7UL), (c.Match, c.Next));
        Assert.Equal((1, 20L), (c.Inflights.Count, c.Inflights.Bytes));
        Assert.True(c.RecentActive);
        Assert.Equal(3UL, c.AckedRound);
        Assert.False(c.IsLearner);
    }
}
