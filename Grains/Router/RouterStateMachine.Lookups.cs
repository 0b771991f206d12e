using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Router;

/// <summary>
/// Indexes over the state for the routing hot path. They hold references to the state's own
/// descriptors, which commands change in place, so they are rebuilt only when the set of shards,
/// silos or leaders is replaced wholesale (restore) and kept up to date by the commands that
/// insert. Rebuilding makes new dictionaries rather than clearing the old ones: read-only copies
/// share them (<see cref="ReadOnlyCopy"/>).
/// </summary>
public sealed partial class RouterStateMachine
{
    private Dictionary<string, SiloInfo> _silosById = new(StringComparer.Ordinal);
    private Dictionary<ulong, ShardDescriptor> _shardsById = [];
    private Dictionary<ulong, LeaderHint> _leadersByShard = [];
    private ShardDescriptor[] _dataShards = [];
    private ulong[] _dataShardStarts = [];

    /// <summary>The data shards (every shard but 0), sorted by hash_start.</summary>
    public IReadOnlyList<ShardDescriptor> DataShards => _dataShards;

    /// <summary>The data shard owning <paramref name="key"/>'s hash; null if no shard covers it.</summary>
    public ShardDescriptor? FindShardByKey(ReadOnlySpan<byte> key) => FindShardByHash(KeyHash.Of(key));

    /// <summary>The data shard whose range holds <paramref name="hash"/>; null if none does.</summary>
    public ShardDescriptor? FindShardByHash(ulong hash)
    {
        // The last start <= hash; the range end is checked too so that a gap never routes.
        var i = Array.BinarySearch(_dataShardStarts, hash);
        if (i < 0)
        {
            i = ~i - 1;
        }

        if (i < 0)
        {
            return null;
        }

        var shard = _dataShards[i];
        return hash < shard.HashEnd ? shard : null;
    }

    /// <summary>The shard with this id (0 is the meta shard); null if unknown.</summary>
    public ShardDescriptor? FindShard(ulong shardId) => _shardsById.GetValueOrDefault(shardId);

    /// <summary>The silo with this id; null if unknown.</summary>
    public SiloInfo? FindSilo(string siloId)
    {
        ArgumentNullException.ThrowIfNull(siloId);
        return _silosById.GetValueOrDefault(siloId);
    }

    /// <summary>The newest leader hint of a shard; null if none was reported.</summary>
    public LeaderHint? FindLeader(ulong shardId) => _leadersByShard.GetValueOrDefault(shardId);

    private void RebuildIndexes()
    {
        _silosById = IndexSilos(_state.Silos);
        _shardsById = new Dictionary<ulong, ShardDescriptor>(_state.Shards.Count);
        foreach (var s in _state.Shards)
        {
            _shardsById.Add(s.ShardId, s);
        }

        _leadersByShard = IndexLeaders(_state.Leaders);
        _dataShards = [.. _state.Shards.Where(s => s.ShardId != MetaShardId)];
        _dataShardStarts = [.. _dataShards.Select(s => s.HashStart)];
    }

    private static Dictionary<string, SiloInfo> IndexSilos(IEnumerable<SiloInfo> silos)
    {
        var index = new Dictionary<string, SiloInfo>(StringComparer.Ordinal);
        foreach (var s in silos)
        {
            index.Add(s.SiloId, s);
        }

        return index;
    }

    private static Dictionary<ulong, LeaderHint> IndexLeaders(IReadOnlyCollection<LeaderHint> leaders)
    {
        var index = new Dictionary<ulong, LeaderHint>(leaders.Count);
        foreach (var l in leaders)
        {
            index.Add(l.ShardId, l);
        }

        return index;
    }
}
