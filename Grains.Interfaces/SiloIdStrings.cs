using Google.Protobuf.Collections;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// One string object per silo id across a parsed map. Parsing gives every replica and leader hint
/// its own copy of a few short names: a silo holding the router's state, its published copy and a
/// client's view of a 10,000-shard cluster kept 65,000 copies of "s1", "s2" and "s3" (1.7 MB).
/// </summary>
public static class SiloIdStrings
{
    /// <summary>Replaces each silo id in <paramref name="shards"/> and <paramref name="leaders"/> with its interned string.</summary>
    public static void Intern(RepeatedField<ShardDescriptor> shards, RepeatedField<LeaderHint> leaders)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(leaders);
        for (var i = 0; i < shards.Count; i++)
        {
            var replicas = shards[i].Replicas;
            for (var j = 0; j < replicas.Count; j++)
            {
                replicas[j].SiloId = string.Intern(replicas[j].SiloId);
            }
        }

        for (var i = 0; i < leaders.Count; i++)
        {
            leaders[i].SiloId = string.Intern(leaders[i].SiloId);
        }
    }
}
