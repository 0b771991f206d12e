using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Router;

/// <summary>
/// The router grain's replicated state machine: the committed entries of the meta shard (id 0),
/// applied in log order, build the cluster map (<see cref="RouterState"/>). Deterministic: the
/// same entries give the same state and a byte-identical snapshot, because the only clock is the
/// timestamp inside each command and every serialized list is kept sorted.
/// </summary>
/// <remarks>
/// Not thread-safe: one owner applies and reads (the engine worker stepping shard 0). Objects
/// returned by lookups and <see cref="State"/> are live and must be treated as read-only; hand
/// <see cref="ToView"/> (a deep copy) to other threads.
/// </remarks>
public sealed partial class RouterStateMachine
{
    /// <summary>The meta shard: the router's own Raft group.</summary>
    public const ulong MetaShardId = 0;

    /// <summary>
    /// Replicas a data shard may have (AddReplica's cap; shard 0 has none): a replication factor
    /// of three and one replica being moved in, which becomes a voter as another leaves.
    /// </summary>
    public const int MaxDataReplicas = 4;

    /// <summary>Voters RegisterSilo gives the meta shard before it hands out learners.</summary>
    public const int MetaVoters = 3;

    private RouterState _state = new();

    /// <summary>Creates a machine with the empty state at index 0.</summary>
    public RouterStateMachine()
    {
        RebuildIndexes();
    }

    /// <summary>The whole replicated state. Read-only outside this class.</summary>
    public RouterState State => _state;

    /// <summary>The log index of the last entry applied or skipped; 0 at the start.</summary>
    public ulong LastAppliedIndex { get; private set; }

    /// <summary>Applies a committed entry whose payload is an encoded <see cref="RouterCommand"/>.</summary>
    /// <exception cref="FormatException">The payload is not a RouterCommand; nothing changes.</exception>
    public RouterResult Apply(ulong index, ReadOnlySpan<byte> payload) =>
        Apply(index, RouterCommands.Decode(payload));

    /// <summary>Applies a committed command at log index <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not past <see cref="LastAppliedIndex"/>.</exception>
    public RouterResult Apply(ulong index, RouterCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        CheckIndex(index);
        LastAppliedIndex = index;
        if (command.CommandCase == RouterCommand.CommandOneofCase.None)
        {
            return RouterResult.Refused(RouterRefusals.EmptyCommand);
        }

        // A refused command leaves the whole state alone, clock included: the clock advances only
        // together with a change it stamps.
        var now = Math.Max(_state.NowMs, command.TimestampMs);
        if (command.CommandCase != RouterCommand.CommandOneofCase.Heartbeat)
        {
            // Refused commands change nothing either, but telling them apart is not worth a
            // mistake: only heartbeats are frequent.
            CopyWholeNextTime(index);
        }

        var result = command.CommandCase switch
        {
            RouterCommand.CommandOneofCase.RegisterSilo => ApplyRegister(command.RegisterSilo, now),
            RouterCommand.CommandOneofCase.Heartbeat => ApplyHeartbeat(command.Heartbeat, now),
            RouterCommand.CommandOneofCase.AddReplica => ApplyAddReplica(command.AddReplica),
            RouterCommand.CommandOneofCase.MarkDead => ApplyMarkDead(command.MarkDead),
            RouterCommand.CommandOneofCase.SetRole => ApplySetRole(command.SetRole),
            RouterCommand.CommandOneofCase.RemoveReplica => ApplyRemoveReplica(command.RemoveReplica),
            RouterCommand.CommandOneofCase.DrainSilo => ApplyDrain(command.DrainSilo),
            RouterCommand.CommandOneofCase.RemoveSilo => ApplyRemoveSilo(command.RemoveSilo),
            RouterCommand.CommandOneofCase.MoveReplica => ApplyMoveReplica(command.MoveReplica),
            RouterCommand.CommandOneofCase.SetPreferredLeader => ApplySetPreferredLeader(command.SetPreferredLeader),
            RouterCommand.CommandOneofCase.UndrainSilo => ApplyUndrain(command.UndrainSilo),
            RouterCommand.CommandOneofCase.SplitShard => ApplySplitShard(command.SplitShard),
            _ => RouterResult.Refused(RouterRefusals.EmptyCommand),
        };
        if (result.Outcome == RouterOutcome.Applied)
        {
            _state.NowMs = now;
        }

        return result;
    }

    /// <summary>Records an entry that is not a router command (empty entry, configuration change).</summary>
    public void Skip(ulong index)
    {
        CheckIndex(index);
        LastAppliedIndex = index;
    }

    /// <summary>A deep copy of the state for clients and operators.</summary>
    public ClusterView ToView(string servedBy)
    {
        ArgumentNullException.ThrowIfNull(servedBy);
        var view = new ClusterView
        {
            ClusterId = _state.ClusterId,
            ServedBy = servedBy,
            RouterAppliedIndex = LastAppliedIndex,
        };
        view.Silos.AddRange(_state.Silos.Select(s => s.Clone()));
        view.Shards.AddRange(_state.Shards.Select(s => s.Clone()));
        view.Leaders.AddRange(_state.Leaders.Select(l => l.Clone()));
        return view;
    }

    private void CheckIndex(ulong index)
    {
        if (index <= LastAppliedIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"entries apply in log order; last applied is {LastAppliedIndex}");
        }
    }

    private static bool EpochEquals(ShardEpoch? expected, ShardEpoch? actual) =>
        expected is not null && actual is not null
        && expected.ConfVer == actual.ConfVer && expected.RangeVer == actual.RangeVer;

    private static void BumpConfVer(ShardDescriptor shard)
    {
        shard.Epoch ??= new ShardEpoch();
        shard.Epoch.ConfVer++;
    }

    private static ReplicaDescriptor? ReplicaOn(ShardDescriptor shard, string siloId)
    {
        foreach (var r in shard.Replicas)
        {
            if (string.Equals(r.SiloId, siloId, StringComparison.Ordinal))
            {
                return r;
            }
        }

        return null;
    }
}
