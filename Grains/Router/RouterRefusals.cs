namespace MultiRaft.Grains.Router;

/// <summary>
/// The reasons a router command is refused, as they appear in <see cref="RouterResult.Reason"/>.
/// Stable strings so that callers and tests can tell them apart.
/// </summary>
public static class RouterRefusals
{
    /// <summary>The command carries no operation (an empty oneof).</summary>
    public const string EmptyCommand = "empty command";

    /// <summary>The state has no meta shard: it was never bootstrapped.</summary>
    public const string NotBootstrapped = "router state not bootstrapped";

    /// <summary>RegisterSilo without a silo id.</summary>
    public const string MissingSiloId = "missing silo id";

    /// <summary>The shard id is not in the state.</summary>
    public const string UnknownShard = "unknown shard";

    /// <summary>The silo id is not in the state.</summary>
    public const string UnknownSilo = "unknown silo";

    /// <summary>The command's expected epoch is not the shard's current epoch.</summary>
    public const string EpochMismatch = "epoch mismatch";

    /// <summary>The silo is not ACTIVE (dead or draining) and takes no new replicas or votes.</summary>
    public const string SiloNotActive = "silo not active";

    /// <summary>The silo already hosts a replica of the shard.</summary>
    public const string SiloHasReplica = "silo already has a replica of the shard";

    /// <summary>The data shard already has the maximum number of replicas.</summary>
    public const string ShardFull = "shard has the maximum number of replicas";

    /// <summary>The role is REPLICA_ROLE_UNSPECIFIED.</summary>
    public const string InvalidRole = "invalid replica role";

    /// <summary>The replica id is not a replica of the shard.</summary>
    public const string UnknownReplica = "unknown replica";

    /// <summary>MarkSiloDead for a silo already dead.</summary>
    public const string AlreadyDead = "silo already dead";

    /// <summary>MarkSiloDead lost the race: a heartbeat was applied after the planner looked.</summary>
    public const string HeartbeatSince = "silo heartbeat applied since";

    /// <summary>RemoveReplica would leave the shard without a voter.</summary>
    public const string LastVoter = "the shard's last voter cannot be removed";

    /// <summary>RemoveReplica names the same replica to remove and to promote.</summary>
    public const string PromoteRemoved = "the replica to promote is the one removed";

    /// <summary>RemoveSilo of a silo that is neither draining nor dead.</summary>
    public const string NotDrained = "the silo is not drained: drain it first";

    /// <summary>RemoveSilo of a silo that still holds data replicas.</summary>
    public const string StillHoldsReplicas = "the silo still holds data replicas";

    /// <summary>MarkSiloDead of a removed silo.</summary>
    public const string SiloRemoved = "silo removed";

    /// <summary>DrainSilo would leave fewer ACTIVE silos than a data shard has voters.</summary>
    public const string NoRoomToDrain = "draining it would leave fewer active silos than a shard has voters";

    /// <summary>MoveReplica of a meta-shard replica: the meta shard's members follow registrations.</summary>
    public const string MetaShard = "the meta shard's replicas are not moved";

    /// <summary>SetPreferredLeader names a replica the router does not want a voter.</summary>
    public const string NotAVoter = "the replica is not a voter";

    /// <summary>The leader balancer's SetPreferredLeader for a shard an operator pinned after the balancer looked.</summary>
    public const string LeaderPinned = "an operator pinned the shard's leader";

    /// <summary>UndrainSilo of a silo that is neither draining nor active (dead or removed).</summary>
    public const string NotDraining = "the silo is not draining";

    /// <summary>SplitShard at a hash not strictly inside the shard's range.</summary>
    public const string SplitOutsideRange = "the split hash is not strictly inside the shard's range";

    /// <summary>SplitShard of a shard whose configuration is not known to equal the map (a move in progress, or no report yet).</summary>
    public const string NotSettled = "the shard has a replica change in progress (or its leader has not reported its configuration)";

    /// <summary>SplitShard of a shard with a replica that is not a voter.</summary>
    public const string NotAllVoters = "every replica of the shard must be a voter to split it";
}
