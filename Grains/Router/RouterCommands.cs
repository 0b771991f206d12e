using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Router;

/// <summary>Builds, encodes and decodes router commands (the payloads of shard 0's log entries).</summary>
public static class RouterCommands
{
    /// <summary>Registers <paramref name="silo"/> (or refreshes its addresses).</summary>
    /// <param name="silo">The silo and its addresses.</param>
    /// <param name="timestampMs">The proposing leader's clock.</param>
    /// <param name="emptyStorage">The silo holds no replica (it joins): a known silo's replicas are then lost and replaced.</param>
    public static RouterCommand Register(SiloInfo silo, long timestampMs, bool emptyStorage = false)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return new RouterCommand
        {
            TimestampMs = timestampMs,
            RegisterSilo = new RegisterSilo { Silo = silo.Clone(), EmptyStorage = emptyStorage },
        };
    }

    /// <summary>A heartbeat of <paramref name="siloId"/> carrying its leaders' hints.</summary>
    public static RouterCommand Heartbeat(string siloId, IEnumerable<LeaderHint> leaders, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(siloId);
        ArgumentNullException.ThrowIfNull(leaders);
        var heartbeat = new SiloHeartbeat { SiloId = siloId };
        heartbeat.Leaders.AddRange(leaders.Select(l => l.Clone()));
        return new RouterCommand { TimestampMs = timestampMs, Heartbeat = heartbeat };
    }

    /// <summary>Adds a replica of <paramref name="shardId"/> on <paramref name="siloId"/>, if the shard is still at <paramref name="expectedEpoch"/>.</summary>
    public static RouterCommand AddReplica(ulong shardId, string siloId, ShardEpoch expectedEpoch, ReplicaRole role, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(siloId);
        ArgumentNullException.ThrowIfNull(expectedEpoch);
        return new RouterCommand
        {
            TimestampMs = timestampMs,
            AddReplica = new AddReplica { ShardId = shardId, SiloId = siloId, ExpectedEpoch = expectedEpoch.Clone(), Role = role },
        };
    }

    /// <summary>Splits <paramref name="shardId"/> at <paramref name="splitHash"/>, if the shard is still at <paramref name="expectedEpoch"/>.</summary>
    public static RouterCommand SplitShard(ulong shardId, ulong splitHash, ShardEpoch expectedEpoch, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(expectedEpoch);
        return new RouterCommand
        {
            TimestampMs = timestampMs,
            SplitShard = new SplitShard { ShardId = shardId, SplitHash = splitHash, ExpectedEpoch = expectedEpoch.Clone() },
        };
    }

    /// <summary>Sets the desired role of a replica, if the shard is still at <paramref name="expectedEpoch"/>.</summary>
    public static RouterCommand SetRole(ulong shardId, ulong replicaId, ReplicaRole role, ShardEpoch expectedEpoch, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(expectedEpoch);
        return new RouterCommand
        {
            TimestampMs = timestampMs,
            SetRole = new SetReplicaRole { ShardId = shardId, ReplicaId = replicaId, Role = role, ExpectedEpoch = expectedEpoch.Clone() },
        };
    }

    /// <summary>
    /// Removes replica <paramref name="replicaId"/> of <paramref name="shardId"/> and, unless
    /// <paramref name="promoteReplicaId"/> is 0, makes that replica a voter in the same step, if
    /// the shard is still at <paramref name="expectedEpoch"/>.
    /// </summary>
    public static RouterCommand RemoveReplica(ulong shardId, ulong replicaId, ulong promoteReplicaId, ShardEpoch expectedEpoch, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(expectedEpoch);
        return new RouterCommand
        {
            TimestampMs = timestampMs,
            RemoveReplica = new RemoveReplica
            {
                ShardId = shardId, ReplicaId = replicaId, PromoteReplicaId = promoteReplicaId, ExpectedEpoch = expectedEpoch.Clone(),
            },
        };
    }

    /// <summary>Moves replica <paramref name="replicaId"/> of <paramref name="shardId"/> to <paramref name="toSilo"/>, if the shard is still at <paramref name="expectedEpoch"/>.</summary>
    public static RouterCommand MoveReplica(ulong shardId, ulong replicaId, string toSilo, ShardEpoch expectedEpoch, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(toSilo);
        ArgumentNullException.ThrowIfNull(expectedEpoch);
        return new RouterCommand
        {
            TimestampMs = timestampMs,
            MoveReplica = new MoveReplica { ShardId = shardId, ReplicaId = replicaId, ToSilo = toSilo, ExpectedEpoch = expectedEpoch.Clone() },
        };
    }

    /// <summary>Names the replica that should lead <paramref name="shardId"/> (0: none); <paramref name="pinned"/> keeps the balancer off it.</summary>
    public static RouterCommand SetPreferredLeader(ulong shardId, ulong replicaId, bool pinned, long timestampMs) =>
        new()
        {
            TimestampMs = timestampMs,
            SetPreferredLeader = new SetPreferredLeader { ShardId = shardId, ReplicaId = replicaId, Pinned = pinned },
        };

    /// <summary>The leader balancer's <see cref="SetPreferredLeader"/>: refused if an operator has pinned the shard by the time it applies.</summary>
    public static RouterCommand BalanceLeader(ulong shardId, ulong replicaId, long timestampMs) =>
        new()
        {
            TimestampMs = timestampMs,
            SetPreferredLeader = new SetPreferredLeader { ShardId = shardId, ReplicaId = replicaId, UnlessPinned = true },
        };

    /// <summary>Marks <paramref name="siloId"/> DRAINING: its leaders and data replicas move to other silos.</summary>
    public static RouterCommand Drain(string siloId, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(siloId);
        return new RouterCommand { TimestampMs = timestampMs, DrainSilo = new DrainSilo { SiloId = siloId } };
    }

    /// <summary>Makes the draining silo <paramref name="siloId"/> active again.</summary>
    public static RouterCommand Undrain(string siloId, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(siloId);
        return new RouterCommand { TimestampMs = timestampMs, UndrainSilo = new UndrainSilo { SiloId = siloId } };
    }

    /// <summary>Takes the drained silo <paramref name="siloId"/> out of the cluster.</summary>
    public static RouterCommand RemoveSilo(string siloId, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(siloId);
        return new RouterCommand { TimestampMs = timestampMs, RemoveSilo = new RemoveSilo { SiloId = siloId } };
    }

    /// <summary>Marks a silo dead if its last heartbeat is still <paramref name="lastHeartbeatMs"/>.</summary>
    public static RouterCommand MarkDead(string siloId, long lastHeartbeatMs, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(siloId);
        return new RouterCommand { TimestampMs = timestampMs, MarkDead = new MarkSiloDead { SiloId = siloId, LastHeartbeatMs = lastHeartbeatMs } };
    }

    /// <summary>The entry payload of a command.</summary>
    public static byte[] Encode(RouterCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.ToByteArray();
    }

    /// <summary>Parses an entry payload.</summary>
    /// <exception cref="FormatException">The bytes are not a RouterCommand.</exception>
    public static RouterCommand Decode(ReadOnlySpan<byte> payload)
    {
        try
        {
            return RouterCommand.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException("router command: " + e.Message, e);
        }
    }
}
