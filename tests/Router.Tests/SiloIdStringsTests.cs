using Google.Protobuf.Collections;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Router.Tests;

/// <summary>A parsed map shares one string per silo id: its replicas' and leader hints' copies become the interned one.</summary>
public sealed class SiloIdStringsTests
{
    // A string equal to `name` but not the same object, as a parser makes.
    private static string Copy(string name) => new(name.AsSpan());

    [Fact]
    public void Equal_silo_ids_become_one_object_and_keep_their_values()
    {
        var shards = new RepeatedField<ShardDescriptor>
        {
            new ShardDescriptor { ShardId = 1, Replicas = { new ReplicaDescriptor { ReplicaId = 1, SiloId = Copy("silo-a") }, new ReplicaDescriptor { ReplicaId = 2, SiloId = Copy("silo-b") } } },
            new ShardDescriptor { ShardId = 2, Replicas = { new ReplicaDescriptor { ReplicaId = 3, SiloId = Copy("silo-a") } } },
        };
        var leaders = new RepeatedField<LeaderHint> { new LeaderHint { ShardId = 1, ReplicaId = 1, SiloId = Copy("silo-a") } };
        Assert.NotSame(shards[0].Replicas[0].SiloId, shards[1].Replicas[0].SiloId);

        SiloIdStrings.Intern(shards, leaders);

        Assert.Same(shards[0].Replicas[0].SiloId, shards[1].Replicas[0].SiloId);
        Assert.Same(shards[0].Replicas[0].SiloId, leaders[0].SiloId);
        Assert.Equal(["silo-a", "silo-b", "silo-a", "silo-a"],
            [shards[0].Replicas[0].SiloId, shards[0].Replicas[1].SiloId, shards[1].Replicas[0].SiloId, leaders[0].SiloId]);
    }
}
