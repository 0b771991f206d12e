using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Cluster.Tests;

/// <summary>What "the balancer is done" means to the cluster tests, in one place.</summary>
internal static class Balance
{
    /// <summary>
    /// Why <paramref name="view"/> is not yet <paramref name="silos"/> active silos (not counting
    /// <paramref name="gone"/>) holding every data shard's three replicas, with each shard's
    /// leader reporting the map's configuration and led by its preferred replica if it has one,
    /// and data replicas and leaderships per silo within one of each other; "" when it is. With
    /// <paramref name="leaderSpread"/> false the leaderships per silo are not compared: where
    /// operators pinned most leaders, the few the balancer may move need not have a replica on
    /// the silo that leads fewest.
    /// </summary>
    public static string Unbalanced(ClusterView view, int silos, string? gone = null, bool leaderSpread = true)
    {
        var active = view.Silos.Where(s => s.Status == SiloStatus.Active && s.SiloId != gone).Select(s => s.SiloId).ToList();
        if (active.Count != silos)
        {
            return $"{active.Count} active silos";
        }

        var data = view.Shards.Where(s => s.ShardId != 0).ToList();
        foreach (var shard in data)
        {
            var hint = view.Leaders.FirstOrDefault(l => l.ShardId == shard.ShardId);
            if (!ShardMotion.IsSettled(shard, hint) || shard.Replicas.Count != 3 || shard.Replicas.Any(r => !active.Contains(r.SiloId)))
            {
                return $"shard {shard.ShardId} not settled on active silos";
            }

            if (shard.PreferredLeader != 0 && hint!.ReplicaId != shard.PreferredLeader)
            {
                return $"shard {shard.ShardId} led by {hint.ReplicaId}, not its preferred {shard.PreferredLeader}";
            }
        }

        var replicas = active.Select(s => MultiRaftClient.DataReplicasOn(view, s)).ToList();
        var leaders = active.Select(s => MultiRaftClient.LeadersOn(view, s)).ToList();
        return replicas.Max() - replicas.Min() > 1 || (leaderSpread && leaders.Max() - leaders.Min() > 1) || leaders.Sum() != data.Count
            ? $"replicas {string.Join(",", replicas)}, leaders {string.Join(",", leaders)}"
            : "";
    }
}
