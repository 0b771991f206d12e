using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;
using MultiRaft.Grains.Router;
using static MultiRaft.Router.Tests.RouterFixtures;

namespace MultiRaft.Router.Tests;

public sealed class SnapshotTests
{
    private static RouterStateMachine Busy()
    {
        var m = WithSilos(4);
        Converge(m, T0 + 100, new RouterPlannerOptions());
        m.Next(RouterCommands.Heartbeat("s2", [new LeaderHint { ShardId = 3, ReplicaId = 40, SiloId = "s2", Term = 2 }], T0 + 200));
        m.Skip(m.LastAppliedIndex + 3);
        return m;
    }

    [Fact]
    public void Round_trip_gives_the_same_digest_index_and_lookups()
    {
        var m = Busy();
        var restored = new RouterStateMachine();

        restored.RestoreSnapshot(m.WriteSnapshot());

        Assert.Equal(m.Digest(), restored.Digest());
        Assert.Equal(m.WriteSnapshot(), restored.WriteSnapshot());
        Assert.Equal(m.LastAppliedIndex, restored.LastAppliedIndex);
        Assert.Equal(m.State, restored.State);
        Assert.Equal(m.DataShards, restored.DataShards);
        Assert.Equal(m.FindLeader(3), restored.FindLeader(3));
        Assert.Equal(m.FindSilo("s4"), restored.FindSilo("s4"));
        var random = new Random(7);
        var key = new byte[12];
        for (var i = 0; i < 200; i++)
        {
            random.NextBytes(key);
            Assert.Equal(m.FindShardByKey(key)!.ShardId, restored.FindShardByKey(key)!.ShardId);
        }
    }

    [Fact]
    public void Restored_machine_applies_the_same_as_the_original()
    {
        var m = Busy();
        var restored = new RouterStateMachine();
        restored.RestoreSnapshot(m.WriteSnapshot());
        var command = RouterCommands.Register(Silo("s5"), T0 + 300);

        Assert.Equal(m.Next(command), restored.Next(command));
        Assert.Equal(m.Digest(), restored.Digest());
    }

    [Fact]
    public void Empty_span_gives_the_empty_state()
    {
        var m = Busy();

        m.RestoreSnapshot([]);

        Assert.Equal(new RouterState(), m.State);
        Assert.Equal(0UL, m.LastAppliedIndex);
        Assert.Empty(m.DataShards);
        Assert.Null(m.FindShard(0));
        Assert.Null(m.FindSilo("s1"));
        Assert.Equal(new RouterStateMachine().Digest(), m.Digest());
    }

    [Fact]
    public void Digest_is_sha256_of_the_snapshot_and_changes_with_the_index()
    {
        var m = Busy();
        var digest = m.Digest();
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(m.WriteSnapshot()), digest);

        m.Skip(m.LastAppliedIndex + 1);

        Assert.NotEqual(digest, m.Digest());
    }

    [Fact]
    public void Corrupt_or_non_canonical_snapshots_are_refused_and_change_nothing()
    {
        var m = Busy();
        var digest = m.Digest();

        Assert.Throws<FormatException>(() => m.RestoreSnapshot([0x12, 0x05, 0x01]));
        var unsorted = m.State.Clone();
        (unsorted.Silos[0], unsorted.Silos[1]) = (unsorted.Silos[1], unsorted.Silos[0]);
        Assert.Throws<FormatException>(() => m.RestoreSnapshot(RouterStateMachine.EncodeSnapshot(unsorted, 9)));
        var overlapping = m.State.Clone();
        overlapping.Shards[2].HashStart = overlapping.Shards[1].HashStart;
        Assert.Throws<FormatException>(() => m.RestoreSnapshot(RouterStateMachine.EncodeSnapshot(overlapping, 9)));
        var metaLast = m.State.Clone();
        var meta = metaLast.Shards[0];
        metaLast.Shards.RemoveAt(0);
        metaLast.Shards.Add(meta);
        Assert.Throws<FormatException>(() => m.RestoreSnapshot(RouterStateMachine.EncodeSnapshot(metaLast, 9)));

        Assert.Equal(digest, m.Digest());
    }
}
