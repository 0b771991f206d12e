using System.Globalization;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Cli;

/// <summary>Renders <c>cluster status</c>: a heading line, the silos table and the shards table.</summary>
internal static class ClusterStatusView
{
    public static void WriteTo(ClusterView view, TextWriter writer)
    {
        writer.WriteLine($"cluster {Or(view.ClusterId)}, served by {Or(view.ServedBy)}, router applied index {view.RouterAppliedIndex.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine();

        var hints = view.Leaders.GroupBy(l => l.ShardId).ToDictionary(g => g.Key, g => g.Last());
        var silos = new TextTable("SILO", "STATUS", "GATEWAY", "SILO ADDRESS", "HTTP", "LAST HEARTBEAT", "REPLICAS", "LEADERS");
        foreach (var silo in view.Silos)
        {
            silos.AddRow(silo.SiloId, Status(silo.Status), Or(silo.GatewayAddress), Or(silo.SiloAddress), Or(silo.HttpAddress), Heartbeat(silo.LastHeartbeatMs),
                MultiRaftClient.DataReplicasOn(view, silo.SiloId).ToString(CultureInfo.InvariantCulture),
                MultiRaftClient.LeadersOn(view, silo.SiloId).ToString(CultureInfo.InvariantCulture));
        }

        silos.WriteTo(writer);
        writer.WriteLine();

        var shards = new TextTable("SHARD", "HASH RANGE", "REPLICAS", "LEADER", "TERM", "COMMIT/APPLIED");
        foreach (var shard in view.Shards)
        {
            var hint = hints.GetValueOrDefault(shard.ShardId);
            var known = hint is not null && hint.ReplicaId != 0;
            shards.AddRow(
                shard.ShardId.ToString(CultureInfo.InvariantCulture),
                Range(shard.HashStart, shard.HashEnd),
                string.Join(", ", shard.Replicas.Select(r => Replica(r, hint))),
                known ? Or(hint!.SiloId) : "-",
                known ? hint!.Term.ToString(CultureInfo.InvariantCulture) : "-",
                known ? $"{hint!.CommitIndex.ToString(CultureInfo.InvariantCulture)}/{hint.AppliedIndex.ToString(CultureInfo.InvariantCulture)}" : "-");
        }

        shards.WriteTo(writer);
        WriteMoves(view, hints, writer);
    }

    // The replica changes shard leaders have yet to carry out (the balancer's moves, replacements, drains).
    private static void WriteMoves(ClusterView view, Dictionary<ulong, LeaderHint> hints, TextWriter writer)
    {
        var moving = view.Shards.Select(s => (Shard: s, Motion: ShardMotion.Of(s, hints.GetValueOrDefault(s.ShardId))))
            .Where(m => !m.Motion.Settled).ToList();
        writer.WriteLine();
        writer.WriteLine(moving.Count == 0 ? "moves in progress: none" : $"moves in progress: {moving.Count.ToString(CultureInfo.InvariantCulture)}");
        foreach (var (shard, motion) in moving)
        {
            var parts = motion.Joining.Select(r => $"{r.ReplicaId.ToString(CultureInfo.InvariantCulture)}@{r.SiloId} joining")
                .Concat(motion.Leaving.Select(id => $"{id.ToString(CultureInfo.InvariantCulture)} leaving"));
            writer.WriteLine($"  shard {shard.ShardId.ToString(CultureInfo.InvariantCulture)}: {string.Join(", ", parts)}");
        }
    }

    internal static string Range(ulong start, ulong end) =>
        $"[{start.ToString("x8", CultureInfo.InvariantCulture)}, {end.ToString("x8", CultureInfo.InvariantCulture)})";

    internal static string Heartbeat(long unixMs) => unixMs <= 0
        ? "-"
        : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Replica(ReplicaDescriptor replica, LeaderHint? hint)
    {
        var text = replica.ReplicaId.ToString(CultureInfo.InvariantCulture) + "@" + replica.SiloId;
        return ReplicaRoles.Current(replica, hint) switch
        {
            ReplicaRole.Learner => text + " (learner)",
            null => text + " (pending)",
            _ => text,
        };
    }

    private static string Status(SiloStatus status) => status switch
    {
        SiloStatus.Active => "active",
        SiloStatus.Dead => "dead",
        SiloStatus.Draining => "draining",
        SiloStatus.Removed => "removed",
        _ => "unknown",
    };

    private static string Or(string text) => text.Length == 0 ? "-" : text;
}
