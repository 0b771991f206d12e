using System.Globalization;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Http;

/// <summary>The JSON shape of <c>GET /cluster</c>: the answering silo's ClusterView, flattened for operators.</summary>
internal sealed record ClusterJson(
    string ClusterId,
    string ServedBy,
    ulong RouterAppliedIndex,
    IReadOnlyList<SiloJson> Silos,
    IReadOnlyList<ShardJson> Shards)
{
    public static ClusterJson From(ClusterView view)
    {
        var hints = new Dictionary<ulong, LeaderHint>();
        foreach (var hint in view.Leaders)
        {
            hints[hint.ShardId] = hint;
        }

        var silos = view.Silos.Select(SiloJson.From).ToArray();
        var shards = view.Shards.Select(s => ShardJson.From(s, hints.GetValueOrDefault(s.ShardId))).ToArray();
        return new ClusterJson(view.ClusterId, view.ServedBy, view.RouterAppliedIndex, silos, shards);
    }
}

/// <summary>One silo: identity, addresses, membership status and the last heartbeat the router applied.</summary>
internal sealed record SiloJson(
    string Id,
    string SiloAddress,
    string GatewayAddress,
    string HttpAddress,
    string Status,
    long LastHeartbeatMs,
    string? LastHeartbeat,
    long JoinedMs)
{
    public static SiloJson From(SiloInfo silo) => new(
        silo.SiloId, silo.SiloAddress, silo.GatewayAddress, silo.HttpAddress, StatusName(silo.Status),
        silo.LastHeartbeatMs, Timestamp(silo.LastHeartbeatMs), silo.JoinedMs);

    internal static string StatusName(SiloStatus status) => status switch
    {
        SiloStatus.Active => "active",
        SiloStatus.Dead => "dead",
        SiloStatus.Draining => "draining",
        SiloStatus.Removed => "removed",
        _ => "unspecified",
    };

    // ISO 8601 beside the raw milliseconds, so a person reading the JSON need not convert.
    private static string? Timestamp(long unixMs) => unixMs <= 0
        ? null
        : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One shard: its hash range [hashStart, hashEnd), epoch, replicas and what its leader last reported.</summary>
internal sealed record ShardJson(
    ulong Id,
    ulong HashStart,
    ulong HashEnd,
    ulong ConfVer,
    ulong RangeVer,
    IReadOnlyList<ReplicaJson> Replicas,
    ulong? LeaderReplica,
    string? LeaderSilo,
    ulong? Term,
    ulong? CommitIndex,
    ulong? AppliedIndex)
{
    public static ShardJson From(ShardDescriptor shard, LeaderHint? hint)
    {
        var replicas = shard.Replicas.Select(r => new ReplicaJson(r.ReplicaId, r.SiloId, RoleOf(r, hint))).ToArray();
        var known = hint is not null && hint.ReplicaId != 0;
        return new ShardJson(
            shard.ShardId, shard.HashStart, shard.HashEnd, shard.Epoch?.ConfVer ?? 0, shard.Epoch?.RangeVer ?? 0, replicas,
            known ? hint!.ReplicaId : null, known ? hint!.SiloId : null, known ? hint!.Term : null,
            known ? hint!.CommitIndex : null, known ? hint!.AppliedIndex : null);
    }

    // "pending": the router's map has the replica, the group's configuration does not yet.
    private static string RoleOf(ReplicaDescriptor replica, LeaderHint? hint) =>
        ReplicaRoles.Current(replica, hint) is { } role ? RoleName(role) : "pending";

    private static string RoleName(ReplicaRole role) => role switch
    {
        ReplicaRole.Voter => "voter",
        ReplicaRole.Learner => "learner",
        _ => "unspecified",
    };
}

/// <summary>One member of a shard's group.</summary>
internal sealed record ReplicaJson(ulong Id, string Silo, string Role);
