using System.Globalization;
using MultiRaft.Client;
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
    IReadOnlyList<ShardJson> Shards,
    int MovesInProgress)
{
    public static ClusterJson From(ClusterView view)
    {
        // Sized once: grown by doubling, a 10,000-shard map made a chain of large-object arrays per request.
        var hints = new Dictionary<ulong, LeaderHint>(view.Leaders.Count);
        foreach (var hint in view.Leaders)
        {
            hints[hint.ShardId] = hint;
        }

        var silos = view.Silos.Select(s => SiloJson.From(s, view)).ToArray();
        var shards = view.Shards.Select(s => ShardJson.From(s, hints.GetValueOrDefault(s.ShardId))).ToArray();
        return new ClusterJson(view.ClusterId, view.ServedBy, view.RouterAppliedIndex, silos, shards, shards.Count(s => s.Moving is not null));
    }
}

/// <summary>
/// One silo: identity, addresses, membership status, the last heartbeat the router applied, and
/// the data replicas the map places on it and the data shards it leads (what the balancer evens out).
/// </summary>
internal sealed record SiloJson(
    string Id,
    string SiloAddress,
    string GatewayAddress,
    string HttpAddress,
    string Status,
    long LastHeartbeatMs,
    string? LastHeartbeat,
    long JoinedMs,
    int Replicas,
    int Leaders)
{
    public static SiloJson From(SiloInfo silo, ClusterView view) => new(
        silo.SiloId, silo.SiloAddress, silo.GatewayAddress, silo.HttpAddress, StatusName(silo.Status),
        silo.LastHeartbeatMs, Timestamp(silo.LastHeartbeatMs), silo.JoinedMs,
        MultiRaftClient.DataReplicasOn(view, silo.SiloId), MultiRaftClient.LeadersOn(view, silo.SiloId));

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
    ulong? AppliedIndex,
    ulong? PreferredLeader,
    bool LeaderPinned,
    MovingJson? Moving)
{
    public static ShardJson From(ShardDescriptor shard, LeaderHint? hint)
    {
        var replicas = shard.Replicas.Select(r => new ReplicaJson(r.ReplicaId, r.SiloId, RoleOf(r, hint))).ToArray();
        var known = hint is not null && hint.ReplicaId != 0;
        var motion = ShardMotion.Of(shard, hint);
        return new ShardJson(
            shard.ShardId, shard.HashStart, shard.HashEnd, shard.Epoch?.ConfVer ?? 0, shard.Epoch?.RangeVer ?? 0, replicas,
            known ? hint!.ReplicaId : null, known ? hint!.SiloId : null, known ? hint!.Term : null,
            known ? hint!.CommitIndex : null, known ? hint!.AppliedIndex : null,
            shard.PreferredLeader == 0 ? null : shard.PreferredLeader, shard.LeaderPinned,
            motion.Settled ? null : new MovingJson(motion.Joining.Select(r => new ReplicaJson(r.ReplicaId, r.SiloId, RoleOf(r, hint))).ToArray(), motion.Leaving));
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

/// <summary>A shard's replica changes still being carried out: replicas joining (with their current role) and replica ids leaving.</summary>
internal sealed record MovingJson(IReadOnlyList<ReplicaJson> Joining, IReadOnlyList<ulong> Leaving);
