using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Client;

/// <summary>An immutable index over one <see cref="ClusterView"/>: data shards by hash, shards by id, silos by id.</summary>
internal sealed class RoutingTable
{
    private readonly ShardDescriptor[] _dataShards;
    private readonly Dictionary<ulong, ShardDescriptor> _byId;
    private readonly Dictionary<string, SiloInfo> _silos;

    public RoutingTable(ClusterView view)
    {
        View = view;
        SiloIdStrings.Intern(view.Shards, view.Leaders);
        // Shard 0 is the router's meta shard: it owns no keys.
        _dataShards = [.. view.Shards.Where(s => s.ShardId != 0 && s.HashEnd > s.HashStart).OrderBy(s => s.HashStart)];
        _byId = view.Shards.ToDictionary(s => s.ShardId);
        _silos = view.Silos.ToDictionary(s => s.SiloId, StringComparer.Ordinal);
    }

    public ClusterView View { get; }

    /// <summary>The data shards, by hash range.</summary>
    public IReadOnlyList<ShardDescriptor> DataShards => _dataShards;

    /// <summary>The shard whose range holds <paramref name="hash"/>, or null when the view has a gap there.</summary>
    public ShardDescriptor? ShardFor(ulong hash)
    {
        int lo = 0, hi = _dataShards.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var s = _dataShards[mid];
            if (hash < s.HashStart)
            {
                hi = mid - 1;
            }
            else if (hash >= s.HashEnd)
            {
                lo = mid + 1;
            }
            else
            {
                return s;
            }
        }

        return null;
    }

    public ShardDescriptor? Shard(ulong shardId) => _byId.GetValueOrDefault(shardId);

    /// <summary>Whether <paramref name="siloId"/> is a silo the view does not know to be dead.</summary>
    public bool IsLive(string siloId) => _silos.TryGetValue(siloId, out var silo) && silo.Status != SiloStatus.Dead;

    /// <summary>True when <paramref name="a"/> is newer than <paramref name="b"/>.</summary>
    public static bool IsNewer(ShardEpoch? a, ShardEpoch? b)
    {
        a ??= new ShardEpoch();
        b ??= new ShardEpoch();
        return a.ConfVer > b.ConfVer || a.RangeVer > b.RangeVer;
    }
}
