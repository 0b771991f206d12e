using Microsoft.Extensions.Logging;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;

namespace MultiRaft.Grains.Runtime;

/// <summary>
/// A replica as an Orleans grain: its identity (shard, Raft node id, home silo), its placement
/// (only on the home silo, never moved) and its API. The Raft member itself
/// (<see cref="Replica.ReplicaMember"/>) is stepped by the silo's engine in batches with every
/// other replica of the silo, so that they share one fsync; a call here waits on the member's
/// answer without holding a thread, and interleaves with every other call.
/// </summary>
[SiloPinned, Immovable, KeepAlive, Reentrant]
public sealed partial class ReplicaGrain(IReplicaOperations operations, ILogger<ReplicaGrain> logger) : Grain, IReplicaGrain
{
    private ulong _shardId;
    private ulong _replicaId;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        if (!GrainKeys.TryParseReplica(key, out _shardId, out _replicaId, out _))
        {
            // Unreachable through the placement director, which refuses such keys; refuse here too.
            throw new ArgumentException($"'{key}' is not a replica key ({{shard}}.{{replica}}@{{silo}}).");
        }

        LogActivated(logger, key, operations.Hosts(_shardId, _replicaId));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ClientResponse> Get(GetRequest request, uint timeoutMs) =>
        Hosted(request?.Route, out var refusal) ? operations.GetAsync(_shardId, request!, timeoutMs).AsTask() : refusal;

    /// <inheritdoc />
    public Task<ClientResponse> Write(WriteRequest request, uint timeoutMs) =>
        Hosted(request?.Route, out var refusal) ? operations.WriteAsync(_shardId, request!, timeoutMs).AsTask() : refusal;

    /// <inheritdoc />
    public Task<ClientResponse> Scan(ScanRequest request, uint timeoutMs) =>
        Hosted(request?.Route, out var refusal) ? operations.ScanAsync(_shardId, request!, timeoutMs).AsTask() : refusal;

    /// <inheritdoc />
    public Task<ClientResponse> OpenSession(OpenSessionRequest request, uint timeoutMs) =>
        Hosted(request?.Route, out var refusal) ? operations.OpenSessionAsync(_shardId, request!, timeoutMs).AsTask() : refusal;

    /// <inheritdoc />
    public Task<ClientResponse> TransferLeader(TransferLeaderRequest request, uint timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Hosted(new ShardRoute { ShardId = request.ShardId }, out var refusal)
            ? operations.TransferLeaderAsync(_shardId, request, timeoutMs).AsTask()
            : refusal;
    }

    /// <inheritdoc />
    public Task<ClientResponse> ScaleIn(ScaleInRequest request, uint timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Hosted(new ShardRoute { ShardId = _shardId }, out var refusal)
            ? operations.ScaleInAsync(_shardId, request, timeoutMs).AsTask()
            : refusal;
    }

    /// <inheritdoc />
    public Task<ClientResponse> SplitShard(SplitShardRequest request, uint timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Hosted(new ShardRoute { ShardId = _shardId }, out var refusal)
            ? operations.SplitShardAsync(_shardId, request, timeoutMs).AsTask()
            : refusal;
    }

    /// <inheritdoc />
    public Task<ClientResponse> Digest() =>
        Hosted(new ShardRoute { ShardId = _shardId }, out var refusal) ? operations.DigestAsync(_shardId).AsTask() : refusal;

    /// <inheritdoc />
    public Task<bool> Activate() => Task.FromResult(operations.Hosts(_shardId, _replicaId));

    // A grain whose member this silo does not run (never placed here, removed, not yet created)
    // refuses: the caller refreshes its view and tries another member.
    private bool Hosted(ShardRoute? route, out Task<ClientResponse> refusal)
    {
        if (ReplicaRequests.Refusal(operations, _shardId, _replicaId, route) is not { } answer)
        {
            refusal = null!;
            return true;
        }

        if (answer.Status == ResponseStatus.ShardNotFound)
        {
            // Kept alive only while its member runs here: a stale key's activation goes once idle.
            DeactivateOnIdle();
        }

        refusal = Task.FromResult(answer);
        return false;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Replica grain {Key} activated (member running: {Hosted})")]
    private static partial void LogActivated(ILogger logger, string key, bool hosted);
}
