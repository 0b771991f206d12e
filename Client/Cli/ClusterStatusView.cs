using System.Globalization;
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

        var silos = new TextTable("SILO", "STATUS", "GATEWAY", "SILO ADDRESS", "HTTP", "LAST HEARTBEAT");
        foreach (var silo in view.Silos)
        {
            silos.AddRow(silo.SiloId, Status(silo.Status), Or(silo.GatewayAddress), Or(silo.SiloAddress), Or(silo.HttpAddress), Heartbeat(silo.LastHeartbeatMs));
        }

        silos.WriteTo(writer);
        writer.WriteLine();

        var hints = view.Leaders.GroupBy(l => l.ShardId).ToDictionary(g => g.Key, g => g.Last());
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
