using System.Collections.Concurrent;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client;

// The cached cluster view: fetched from any gateway, the freshest (by router applied index) kept,
// corrected between fetches by what answers tell (leader hints, newer shard descriptors).
public sealed partial class MultiRaftClient
{
    private readonly ConcurrentDictionary<ulong, LeaderHint> _leaders = new();
    private readonly ConcurrentDictionary<ulong, ShardDescriptor> _shardUpdates = new();
    private readonly Lock _viewLock = new();
    private volatile RoutingTable? _table;
    private Task<RoutingTable>? _refreshing;

    private Task<RoutingTable> GetTableAsync(CallContext call) =>
        _table is { } table ? Task.FromResult(table) : RefreshAsync(call);

    // Fetches a view; callers that ask while a fetch runs share it.
    private Task<RoutingTable> RefreshAsync(CallContext call)
    {
        Task<RoutingTable> fetch;
        lock (_viewLock)
        {
            if (_refreshing is null || _refreshing.IsCompleted)
            {
                _refreshing = FetchViewAsync();
            }

            fetch = _refreshing;
        }

        return fetch.WaitAsync(call.Token);
    }

    // Asks the router grain (Orleans picks the silo). Runs on its own budget: it is shared, so no
    // one caller's cancellation may end it.
    private async Task<RoutingTable> FetchViewAsync()
    {
        using var budget = new CancellationTokenSource(_options.RequestTimeout);
        string? lastError = null;
        var backoff = new Backoff(_options.InitialRetryDelay, _options.MaxRetryDelay);
        try
        {
            while (true)
            {
                try
                {
                    var response = await _channel.GetViewAsync(budget.Token).ConfigureAwait(false);
                    if (response.Status == ResponseStatus.Ok && response.Cluster is { } view)
                    {
                        return Accept(view);
                    }

                    lastError = $"the router answered {response.Status}: {response.Error}";
                }
                catch (ReplicaUnreachableException ex)
                {
                    lastError = ex.Message;
                }

                // A silo that has just started may not have the router's state yet.
                await backoff.WaitAsync(budget.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            throw new ReplicaUnreachableException($"No silo answered with the cluster view within the request timeout. {lastError}".TrimEnd());
        }
    }

    // Keeps the freshest view; merges its leaders and drops corrections it has caught up with.
    private RoutingTable Accept(ClusterView view)
    {
        lock (_viewLock)
        {
            var current = _table;
            if (current is not null && view.RouterAppliedIndex < current.View.RouterAppliedIndex)
            {
                return current;
            }

            var table = new RoutingTable(view);
            foreach (var hint in view.Leaders)
            {
                _leaders.AddOrUpdate(hint.ShardId, hint, (_, old) => hint.Term >= old.Term ? hint : old);
            }

            foreach (var (id, update) in _shardUpdates)
            {
                if (table.Shard(id) is { } known && !RoutingTable.IsNewer(update.Epoch, known.Epoch))
                {
                    _shardUpdates.TryRemove(id, out _);
                }
            }

            _table = table;
            return table;
        }
    }

    // A descriptor an answer carried, newer than the view's: used until a fresher view has it.
    private void LearnShard(ShardDescriptor shard)
    {
        _shardUpdates.AddOrUpdate(shard.ShardId, shard,
            (_, old) => RoutingTable.IsNewer(shard.Epoch, old.Epoch) ? shard : old);
    }

    private void LearnLeader(ulong shardId, LeaderHint hint)
    {
        // A not-leader answer comes from a member of the group: fresher than any view.
        _leaders[shardId] = hint;
    }

    private void ForgetLeader(ulong shardId, string siloId)
    {
        if (_leaders.TryGetValue(shardId, out var hint) && hint.SiloId == siloId)
        {
            _leaders.TryRemove(new KeyValuePair<ulong, LeaderHint>(shardId, hint));
        }
    }

    // The shard as routing knows it best: the view's, or a newer descriptor an answer carried.
    private ShardDescriptor? Resolve(RoutingTable table, ShardSelector selector)
    {
        if (selector.ShardId is { } id)
        {
            var byId = table.Shard(id);
            return byId is not null ? Latest(byId) : _shardUpdates.GetValueOrDefault(id);
        }

        var hash = selector.Hash;
        if (table.ShardFor(hash) is not { } shard)
        {
            return null;
        }

        var latest = Latest(shard);
        return hash >= latest.HashStart && hash < latest.HashEnd ? latest : shard;
    }

    private ShardDescriptor Latest(ShardDescriptor shard) =>
        _shardUpdates.TryGetValue(shard.ShardId, out var update) && RoutingTable.IsNewer(update.Epoch, shard.Epoch)
            ? update
            : shard;

    // The leader's replica when known, else another replica's, preferring silos that have not failed this call.
    private ReplicaAddress? PickTarget(RoutingTable table, ShardDescriptor shard, CallContext call)
    {
        if (_leaders.TryGetValue(shard.ShardId, out var hint) && hint.SiloId.Length > 0 && !call.Avoid.Contains(hint.SiloId)
            && table.IsLive(hint.SiloId) && ReplicaOn(shard, hint.SiloId) is { } leader)
        {
            return leader;
        }

        var replicas = shard.Replicas.Where(r => table.IsLive(r.SiloId)).ToList();
        if (replicas.Count == 0)
        {
            return null;
        }

        var start = (int)((uint)Interlocked.Increment(ref _replicaCursor) % (uint)replicas.Count);
        for (var i = 0; i < replicas.Count; i++)
        {
            var r = replicas[(start + i) % replicas.Count];
            if (!call.Avoid.Contains(r.SiloId))
            {
                return new ReplicaAddress(shard.ShardId, r.ReplicaId, r.SiloId);
            }
        }

        // Every replica failed this call once: start over.
        call.Avoid.Clear();
        return new ReplicaAddress(shard.ShardId, replicas[start].ReplicaId, replicas[start].SiloId);
    }

    private static ReplicaAddress? ReplicaOn(ShardDescriptor shard, string siloId)
    {
        foreach (var r in shard.Replicas)
        {
            if (r.SiloId == siloId)
            {
                return new ReplicaAddress(shard.ShardId, r.ReplicaId, r.SiloId);
            }
        }

        return null;
    }

    /// <summary>Which shard a request goes to: the one owning a key hash, or one named by id.</summary>
    private readonly record struct ShardSelector(ulong Hash, ulong? ShardId)
    {
        public static ShardSelector ForHash(ulong hash) => new(hash, null);

        public static ShardSelector ForShard(ulong shardId) => new(0, shardId);
    }
}
