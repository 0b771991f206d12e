using MultiRaft.Raft;
using static MultiRaft.Raft.Unit.Tests.LogFixtures;

namespace MultiRaft.Raft.Unit.Tests;

/// <summary>Calls a RawNode refuses, and restarts from persisted state that breaks the rules.</summary>
public class RawNodeMisuseTests
{
    private static RawNode Node(MemoryStorage storage, ulong id = 1, ulong applied = 0) =>
        new(new RaftConfig { Id = id, Storage = storage, Random = new Random(1), Applied = applied });

    private static RawNode SingleLeader()
    {
        var storage = new MemoryStorage(new ConfState([1UL]));
        var n = Node(storage);
        n.Campaign();
        while (n.HasReady)
        {
            var rd = n.GetReady();
            if (rd.HardState is { } hs)
            {
                storage.SetHardState(hs);
            }

            storage.Append(rd.Entries);
            n.Advance();
        }

        Assert.Equal(RaftRole.Leader, n.Role);
        return n;
    }

    [Fact]
    public void TrimBuffers_WithAReadyOutstandingThrows()
    {
        var n = Node(new MemoryStorage(new ConfState([1UL, 2, 3])));
        n.Campaign();
        _ = n.GetReady();

        var ex = Assert.Throws<InvalidOperationException>(n.TrimBuffers);

        Assert.Equal("TrimBuffers called before Advance", ex.Message);
        n.Advance();
        n.TrimBuffers();
    }

    [Fact]
    public void GetReady_TwiceWithoutAdvanceThrows()
    {
        var n = Node(new MemoryStorage(new ConfState([1UL, 2, 3])));
        n.Campaign();
        _ = n.GetReady();

        var ex = Assert.Throws<InvalidOperationException>(() => n.GetReady());

        Assert.Equal("GetReady called again before Advance", ex.Message);

        // Advancing makes the next Ready legal again.
        n.Advance();
        n.Tick();
        _ = n.GetReady();
    }

    [Fact]
    public void Advance_WithoutAReadyThrows()
    {
        var n = Node(new MemoryStorage(new ConfState([1UL, 2, 3])));

        var first = Assert.Throws<InvalidOperationException>(n.Advance);

        Assert.Equal("Advance called without an outstanding Ready", first.Message);

        n.Campaign();
        _ = n.GetReady();
        n.Advance();
        var twice = Assert.Throws<InvalidOperationException>(n.Advance);
        Assert.Equal("Advance called without an outstanding Ready", twice.Message);
    }

    [Theory]
    [InlineData(MessageType.Hup)]
    [InlineData(MessageType.Beat)]
    [InlineData(MessageType.Unreachable)]
    [InlineData(MessageType.SnapshotStatus)]
    [InlineData(MessageType.CheckQuorum)]
    public void Step_ALocalMessageTypeThrows(MessageType type)
    {
        var n = Node(new MemoryStorage(new ConfState([1UL, 2, 3])));

        var ex = Assert.Throws<ArgumentException>(() => n.Step(new Message { Type = type, From = 2, To = 1, Term = 1 }));

        Assert.StartsWith($"{type} is a local message and cannot be stepped from the network", ex.Message, StringComparison.Ordinal);
        Assert.Equal("m", ex.ParamName);
        // Nothing happened: a stepped Hup would have started an election.
        Assert.Equal(RaftRole.Follower, n.Role);
        Assert.Equal(0UL, n.Term);
        Assert.False(n.HasReady);
    }

    [Theory]
    [InlineData(2UL)]
    [InlineData(0UL)]
    public void Step_AMessageForAnotherMemberThrows(ulong to)
    {
        var n = Node(new MemoryStorage(new ConfState([1UL, 2, 3])));

        var ex = Assert.Throws<ArgumentException>(() =>
            n.Step(new Message { Type = MessageType.Heartbeat, From = 3, To = to, Term = 5 }));

        Assert.StartsWith($"message for {to} stepped on member 1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0UL, n.Term);
    }

    [Fact]
    public void Step_NullThrows()
    {
        var n = Node(new MemoryStorage(new ConfState([1UL, 2, 3])));

        Assert.Throws<ArgumentNullException>(() => n.Step(null!));
    }

    [Fact]
    public void ProposeConfChange_ThatCanNeverBeValidThrows()
    {
        var n = SingleLeader();

        var ex = Assert.Throws<InvalidConfChangeException>(() => n.ProposeConfChange(ConfChange.Single(ConfChangeType.RemoveNode, 1)));

        Assert.Equal("the change removes every voter", ex.Message);
        Assert.False(n.HasReady);
    }

    [Fact]
    public void ProposeConfChange_LeavingWhenNotJointIsAMismatch()
    {
        var n = SingleLeader();

        Assert.Equal(ProposalResult.JointStateMismatch, n.ProposeConfChange(ConfChange.LeaveJoint));
        Assert.False(n.HasReady);
    }

    [Fact]
    public void Restart_WithCommitBeyondThePersistedLogThrows()
    {
        var storage = Storage(1, 1, 2);
        storage.SetHardState(new HardState(2, 1, 5));

        var ex = Assert.Throws<RaftInvariantException>(() => Node(storage));

        Assert.Equal("persisted commit 5 is beyond the persisted log (last index 3)", ex.Message);
    }

    [Fact]
    public void Restart_WithCommitBelowTheSnapshotStartsFromTheSnapshot()
    {
        // A commit-only hard state is not synced, so a crash can leave it behind a snapshot.
        var storage = new MemoryStorage();
        storage.ApplySnapshot(new Snapshot(10, 2, new ConfState([1UL, 2, 3]), ReadOnlyMemory<byte>.Empty));
        storage.SetHardState(new HardState(2, 1, 5));

        var n = Node(storage);

        Assert.Equal(10UL, n.Committed);
        Assert.Equal(10UL, n.Applied);
        Assert.Equal(2UL, n.Term);
    }

    [Fact]
    public void Restart_FromConsistentStateResumesIt()
    {
        var storage = Storage(1, 1, 2, 2);
        storage.SetHardState(new HardState(2, 3, 3));

        var n = Node(storage, applied: 1);

        Assert.Equal(RaftRole.Follower, n.Role);
        Assert.Equal(2UL, n.Term);
        Assert.Equal(3UL, n.Raft.Vote);
        Assert.Equal(0UL, n.Lead);
        Assert.Equal(3UL, n.Committed);
        Assert.Equal(1UL, n.Applied);
        Assert.Equal(4UL, n.LastIndex);

        // What was committed but not applied is handed out again; nothing is re-persisted.
        var rd = n.GetReady();
        Assert.Equal(new ulong[] { 2, 3 }, Indexes(rd.CommittedEntries.ToArray()));
        Assert.Empty(rd.Entries.ToArray());
        Assert.Null(rd.HardState);
    }

    [Fact]
    public void Restart_AppliedBeyondCommitIsClampedToCommit()
    {
        var storage = Storage(1, 1, 2, 2);
        storage.SetHardState(new HardState(2, 0, 2));

        var n = Node(storage, applied: 4);

        Assert.Equal(2UL, n.Applied);
        Assert.Equal(2UL, n.Committed);
    }

    [Fact]
    public void Start_FromTheBootstrapSnapshot()
    {
        var n = Node(MemoryStorage.Bootstrapped(new ConfState([1UL, 2, 3])));

        Assert.Equal(1UL, n.Term);
        Assert.Equal(1UL, n.Committed);
        Assert.Equal(1UL, n.Applied);
        Assert.Equal(1UL, n.LastIndex);
        Assert.False(n.HasReady);
    }

    [Fact]
    public void Restart_FromASnapshotTakesItsMembership()
    {
        var storage = new MemoryStorage();
        var cs = new ConfState([1UL, 2], learners: [3UL]);
        storage.ApplySnapshot(new Snapshot(10, 2, cs, ReadOnlyMemory<byte>.Empty));
        storage.SetHardState(new HardState(2, 0, 10));

        var n = Node(storage, id: 3);

        Assert.Equal(10UL, n.Committed);
        Assert.Equal(10UL, n.Applied);
        Assert.Equal(11UL, n.Raft.Log.FirstIndex);
        Assert.Equal(cs, n.GetStatus().Config);
        Assert.True(n.Raft.IsLearner);
        Assert.False(n.HasReady);
    }
}
