using Microsoft.Extensions.Logging;

namespace MultiRaft.Silo.Cluster;

internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Bootstrapping cluster {ClusterId} on silo {SiloId} with {Shards} shards")]
    public static partial void Bootstrapping(ILogger logger, string clusterId, string siloId, int shards);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Silo {SiloId} joining through {Gateway}")]
    public static partial void Joining(ILogger logger, string siloId, string gateway);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Join through {Gateway} not done yet: {Status} {Error}")]
    public static partial void JoinRetry(ILogger logger, string gateway, string status, string error);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Silo {SiloId} joined; its router replica is {ReplicaId}")]
    public static partial void Joined(ILogger logger, string siloId, ulong replicaId);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "Silo {SiloId} restarting with {Replicas} replicas from storage")]
    public static partial void Restarting(ILogger logger, string siloId, int replicas);

    [LoggerMessage(EventId = 5118, Level = LogLevel.Information, Message = "Silo {SiloId} started {Replicas} replicas from storage in {Milliseconds} ms")]
    public static partial void Restarted(ILogger logger, string siloId, int replicas, long milliseconds);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Information, Message = "Creating replica {ReplicaId} of shard {ShardId} placed here by the router")]
    public static partial void CreatingReplica(ILogger logger, ulong shardId, ulong replicaId);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Information, Message = "Shard {ShardId}: proposing membership change {Change}")]
    public static partial void ProposingConfChange(ILogger logger, ulong shardId, string change);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Warning, Message = "Cluster maintenance failed; retrying")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Information, Message = "Silo {SiloId} is ready: {Shards} data shards in the map")]
    public static partial void Ready(ILogger logger, string siloId, int shards);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "Silo {SiloId}: the router listed old addresses; registered again through {Leader}: {Outcome}")]
    public static partial void AddressesRefreshed(ILogger logger, string siloId, string leader, string outcome);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Information, Message = "Shard {ShardId}: this leader's replica is leaving (removed or draining); handing leadership to replica {To}")]
    public static partial void HandingOverLeadership(ILogger logger, ulong shardId, ulong to);

    [LoggerMessage(EventId = 5119, Level = LogLevel.Information, Message = "Shard {ShardId}: handing leadership to its preferred replica {To}")]
    public static partial void HandingBackLeadership(ILogger logger, ulong shardId, ulong to);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Information, Message = "Shard {ShardId}: replica {ReplicaId} left the group; stopping it and deleting its data")]
    public static partial void RemovingReplica(ILogger logger, ulong shardId, ulong replicaId);

    [LoggerMessage(EventId = 5113, Level = LogLevel.Warning, Message = "Silo {SiloId} was removed from the cluster; stopping")]
    public static partial void SiloRemoved(ILogger logger, string siloId);

    [LoggerMessage(EventId = 5114, Level = LogLevel.Information, Message = "Shard {ShardId}: proposing its split at hash {SplitHash} into shard {ChildShardId}")]
    public static partial void ProposingSplit(ILogger logger, ulong shardId, ulong splitHash, ulong childShardId);

    [LoggerMessage(EventId = 5115, Level = LogLevel.Information, Message = "Shard {ShardId}: split applied at index {Index}; starting replica {ChildReplicaId} of shard {ChildShardId} from it")]
    public static partial void StartingSplitChild(ILogger logger, ulong shardId, ulong index, ulong childShardId, ulong childReplicaId);

    [LoggerMessage(EventId = 5116, Level = LogLevel.Warning, Message = "Shard {ShardId}: split into shard {ChildShardId} applied, but no replica of it is started from it here: {Reason}")]
    public static partial void SplitChildSkipped(ILogger logger, ulong shardId, ulong childShardId, string reason);

    [LoggerMessage(EventId = 5117, Level = LogLevel.Error, Message = "Shard {ChildShardId}: starting the replica from the split failed")]
    public static partial void SplitChildFailed(ILogger logger, Exception exception, ulong childShardId);
}
