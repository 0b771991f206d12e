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
    private int _endpointCursor;

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

    // Asks the configured endpoints, then every known silo, until one answers with a view. Runs on
    // its own budget: it is shared, so no one caller's cancellation may end it.
    private async Task<RoutingTable> FetchViewAsync()
    {
        using var budget = new CancellationTokenSource(_options.RequestTimeout);
        var first = Interlocked.Increment(ref _endpointCursor) - 1;
        var endpoints = _options.Endpoints.Count == 0
            ? []
            : Enumerable.Range(0, _options.Endpoints.Count).Select(i => _options.Endpoints[(first + i) % _options.Endpoints.Count]);
        var candidates = endpoints.Concat(_table?.Gateways() ?? []).Distinct(StringComparer.Ordinal).ToList();
        string? lastError = null;
        foreach (var address in candidates)
        {
            try
            {
                var response = await _connector.SendAsync(address, new ClientRequest { Cluster = new ClusterRequest() },
                    budget.Token).ConfigureAwait(false);
                if (response.Status == ResponseStatus.Ok && response.Cluster is { } view)
                {
                    return Accept(view);
                }

                lastError = $"{address} answered {response.Status}: {response.Error}";
            }
            catch (GatewayUnreachableException ex)
            {
                lastError = ex.Message;
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                lastError = $"{address} did not answer within the request timeout";
                break;
            }
        }

        throw new GatewayUnreachableException($"No gateway answered with the cluster view. {lastError}");
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

    // The leader's gateway when known, else a replica's, preferring silos that have not failed this call.
    private (string SiloId, string Address)? PickTarget(RoutingTable table, ShardDescriptor shard, CallContext call)
    {
        if (_leaders.TryGetValue(shard.ShardId, out var hint) && hint.SiloId.Length > 0 && !call.Avoid.Contains(hint.SiloId)
            && table.GatewayOf(hint.SiloId) is { } leaderAddress)
        {
            return (hint.SiloId, leaderAddress);
        }

        var replicas = shard.Replicas.Select(r => r.SiloId).Where(s => table.GatewayOf(s) is not null)
            .Distinct(StringComparer.Ordinal).ToList();
        if (replicas.Count == 0)
        {
            return null;
        }

        var start = (int)((uint)Interlocked.Increment(ref _replicaCursor) % (uint)replicas.Count);
        for (var i = 0; i < replicas.Count; i++)
        {
            var silo = replicas[(start + i) % replicas.Count];
            if (!call.Avoid.Contains(silo))
            {
                return (silo, table.GatewayOf(silo)!);
            }
        }

        // Every replica failed this call once: start over.
        call.Avoid.Clear();
        return (replicas[start], table.GatewayOf(replicas[start])!);
    }

    /// <summary>Which shard a request goes to: the one owning a key hash, or one named by id.</summary>
    private readonly record struct ShardSelector(ulong Hash, ulong? ShardId)
    {
        public static ShardSelector ForHash(ulong hash) => new(hash, null);

        public static ShardSelector ForShard(ulong shardId) => new(0, shardId);
    }
}
