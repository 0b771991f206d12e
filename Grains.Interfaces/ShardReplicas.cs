using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Interfaces;

/// <summary>Looking up a shard's replicas in the map.</summary>
public static class ShardReplicas
{
    /// <summary>
    /// The replica <paramref name="replicaId"/> of <paramref name="shard"/>, or null. Indexed: the
    /// engine asks it for every outgoing message and the balancer for every shard on each pass, and
    /// a <c>RepeatedField</c>'s enumerator is an allocated iterator.
    /// </summary>
    public static ReplicaDescriptor? Find(ShardDescriptor shard, ulong replicaId)
    {
        ArgumentNullException.ThrowIfNull(shard);
        return Find(shard.Replicas, replicaId);
    }

    /// <summary>The replica <paramref name="replicaId"/> in <paramref name="replicas"/> (a shard's, or a desired list), or null.</summary>
    public static ReplicaDescriptor? Find(IReadOnlyList<ReplicaDescriptor> replicas, ulong replicaId)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        for (var i = 0; i < replicas.Count; i++)
        {
            if (replicas[i].ReplicaId == replicaId)
            {
                return replicas[i];
            }
        }

        return null;
    }
}
