using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using Orleans;

namespace MultiRaft.Client;

/// <summary>
/// The MultiRaft client, on an Orleans client or inside a silo: asks the router grain for the
/// shard map and caches it with the leaders, routes each key to its shard's leader, follows not-leader and
/// stale-epoch answers, retries with backoff inside the request deadline, and writes through
/// sessions so that a retried write applies once. Thread-safe; share one per process.
/// </summary>
public sealed partial class MultiRaftClient : IAsyncDisposable
{
    private readonly MultiRaftClientOptions _options;
    private readonly IGrainChannel _channel;

    /// <summary>Creates a client over an Orleans client's or silo's grain factory.</summary>
    public MultiRaftClient(IGrainFactory grains, MultiRaftClientOptions? options = null)
        : this(options ?? new MultiRaftClientOptions(), new OrleansGrainChannel(grains))
    {
    }

    /// <summary>Creates a client over any <see cref="IGrainChannel"/> (tests script one).</summary>
    public MultiRaftClient(MultiRaftClientOptions options, IGrainChannel channel)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.InitialRetryDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRetryDelay, options.InitialRetryDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AttemptTimeout, TimeSpan.FromMilliseconds(10));
        _options = options;
        _channel = channel;
        _attemptMs = (uint)Math.Min(options.AttemptTimeout.TotalMilliseconds, uint.MaxValue);
        if (options.SessionFile is { } path)
        {
            _sessionFile = SessionFile.Open(path);
            foreach (var (shard, session) in _sessionFile.Loaded)
            {
                _sessions.Return(new WriteSession(shard, session, _sessionFile.FirstSequence));
            }
        }
    }

    private readonly SessionFile? _sessionFile;

    // How long past its own deadline a silo's answer is still waited for (transit and scheduling).
    private static readonly TimeSpan AttemptGrace = TimeSpan.FromMilliseconds(500);

    private readonly uint _attemptMs;

    /// <summary>The value and version of <paramref name="key"/>, or null if absent.</summary>
    public async Task<KvEntry?> GetAsync(ReadOnlyMemory<byte> key, ReadConsistency consistency = ReadConsistency.Linearizable,
        CancellationToken cancellationToken = default)
    {
        var wireKey = ByteString.CopyFrom(key.Span);
        using var call = new CallContext(_options, isWrite: false, cancellationToken);
        var response = await RouteAsync(call, ShardSelector.ForHash(KeyHash.Of(key.Span)), shard => new ClientRequest
        {
            Get = new GetRequest { Route = RouteOf(shard), Key = wireKey, Consistency = ToWire(consistency) },
        }, "get").ConfigureAwait(false);
        return response.Status switch
        {
            ResponseStatus.Ok => new KvEntry(key.ToArray(), response.Value.Memory, response.Version),
            ResponseStatus.NotFound => null,
            _ => throw new MultiRaftException($"get: unexpected answer {response.Status} {response.Error}"),
        };
    }

    /// <summary>
    /// Writes <paramref name="value"/>; returns the new version. With a condition, throws
    /// <see cref="PreconditionFailedException"/> when it does not hold.
    /// </summary>
    public async Task<ulong> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, WriteOptions options = default,
        CancellationToken cancellationToken = default)
    {
        var (condition, expected) = options.ToWireCondition();
        var response = await WriteAsync(key, WriteKind.Put, value, condition, expected, options.IdempotencyKey, cancellationToken)
            .ConfigureAwait(false);
        return response.Status == ResponseStatus.Ok
            ? response.Version
            : throw new MultiRaftException($"put: unexpected answer {response.Status} {response.Error}");
    }

    /// <summary>Deletes <paramref name="key"/>; false if it was absent.</summary>
    public async Task<bool> DeleteAsync(ReadOnlyMemory<byte> key, WriteOptions options = default,
        CancellationToken cancellationToken = default)
    {
        if (options.IfAbsent)
        {
            throw new ArgumentException("IfAbsent applies to puts only.", nameof(options));
        }

        var (condition, expected) = options.ToWireCondition();
        var response = await WriteAsync(key, WriteKind.Delete, default, condition, expected, options.IdempotencyKey, cancellationToken)
            .ConfigureAwait(false);
        return response.Status == ResponseStatus.Ok;
    }

    /// <summary>Writes only if the current version is <paramref name="expectedVersion"/> (0 = absent).</summary>
    public async Task<ulong> CompareAndSetAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, ulong expectedVersion,
        CancellationToken cancellationToken = default)
    {
        var condition = expectedVersion == 0 ? WriteCondition.IfAbsent : WriteCondition.IfVersion;
        var response = await WriteAsync(key, WriteKind.Put, value, condition, expectedVersion, null, cancellationToken)
            .ConfigureAwait(false);
        return response.Status == ResponseStatus.Ok
            ? response.Version
            : throw new MultiRaftException($"compare-and-set: unexpected answer {response.Status} {response.Error}");
    }

    /// <summary>Keys with <paramref name="prefix"/> after <paramref name="startAfter"/>, in byte order, across all shards.</summary>
    public async Task<IReadOnlyList<KvEntry>> ScanAsync(ReadOnlyMemory<byte> prefix, int limit, ReadOnlyMemory<byte> startAfter = default,
        ReadConsistency consistency = ReadConsistency.Linearizable, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var wirePrefix = ByteString.CopyFrom(prefix.Span);
        var wireStart = ByteString.CopyFrom(startAfter.Span);
        for (var attempt = 1; ; attempt++)
        {
            RoutingTable table;
            using (var viewCall = new CallContext(_options, isWrite: false, cancellationToken))
            {
                try
                {
                    table = await GetTableAsync(viewCall).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (viewCall.TimedOut)
                {
                    throw viewCall.Timeout("scan");
                }
                catch (ReplicaUnreachableException ex)
                {
                    throw new UnavailableException($"scan: {ex.Message}", ex);
                }
            }

            var moved = false;
            var parts = await Task.WhenAll(table.DataShards.Select(async shard =>
            {
                // One context per shard: a context's retry state is not shared between concurrent loops.
                using var call = new CallContext(_options, isWrite: false, cancellationToken);
                ShardDescriptor? sent = null;
                var response = await RouteAsync(call, ShardSelector.ForShard(shard.ShardId), s =>
                {
                    sent = s;
                    return new ClientRequest
                    {
                        Scan = new ScanRequest
                        {
                            Route = RouteOf(s), Prefix = wirePrefix, StartAfter = wireStart, Limit = (uint)limit,
                            Consistency = ToWire(consistency),
                        },
                    };
                }, "scan").ConfigureAwait(false);
                // The shard answered for a range other than the one this scan planned with (it was
                // split meanwhile): the keys it gave away are in a shard the plan does not have.
                if (sent is not null && (sent.HashStart != shard.HashStart || sent.HashEnd != shard.HashEnd))
                {
                    Volatile.Write(ref moved, true);
                }

                return response.Items;
            })).ConfigureAwait(false);

            if (!moved || attempt >= MaxScanPlans)
            {
                return moved
                    ? throw new UnavailableException($"scan: the shards' ranges kept changing over {MaxScanPlans} attempts.")
                    : ScanMerge.Merge(parts, limit);
            }

            // Planned again from the fresher view the stale answers brought in.
        }
    }

    // How many times a scan plans its shards again when ranges change under it.
    private const int MaxScanPlans = 5;

    /// <summary>The cluster as the answering silo sees it (silos, shards, leaders).</summary>
    public async Task<ClusterView> GetClusterAsync(CancellationToken cancellationToken = default)
    {
        using var call = new CallContext(_options, isWrite: false, cancellationToken);
        while (true)
        {
            try
            {
                // Accepting keeps the freshest view seen, so this may be newer than the one fetched.
                var table = await RefreshAsync(call).ConfigureAwait(false);
                return table.View.Clone();
            }
            catch (OperationCanceledException) when (call.TimedOut)
            {
                throw call.Timeout("cluster");
            }
            catch (ReplicaUnreachableException ex)
            {
                call.LastError = ex.Message;
                try
                {
                    await call.Backoff.WaitAsync(call.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (call.TimedOut)
                {
                    throw call.Timeout("cluster");
                }
            }
        }
    }

    /// <summary>Moves leadership of one shard to its replica on <paramref name="toSiloId"/>; completes once it leads.</summary>
    /// <exception cref="NotFoundException">No such shard, or the silo holds no replica of it.</exception>
    /// <exception cref="OperationRefusedException">
    /// The replica there is not a voter yet, or lags too far behind the commit index to lead.
    /// </exception>
    public async Task TransferLeaderAsync(ulong shardId, string toSiloId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toSiloId);
        using var call = new CallContext(_options, isWrite: false, cancellationToken);
        var response = await RouteAsync(call, ShardSelector.ForShard(shardId), _ => new ClientRequest
        {
            TransferLeader = new TransferLeaderRequest { ShardId = shardId, ToSiloId = toSiloId },
        }, "transfer-leader").ConfigureAwait(false);
        switch (response.Status)
        {
            case ResponseStatus.Ok:
                LearnLeader(shardId, response.Leader ?? new LeaderHint { ShardId = shardId, SiloId = toSiloId });
                return;
            case ResponseStatus.NotFound:
                throw new NotFoundException($"transfer-leader: {response.Error}");
            case ResponseStatus.PreconditionFailed:
                throw new OperationRefusedException(response.Error);
            default:
                throw new MultiRaftException($"transfer-leader: unexpected answer {response.Status} {response.Error}");
        }
    }

    /// <summary>
    /// Starts draining <paramref name="siloId"/>: it takes no new replicas, the leadership of its
    /// shards moves to other silos and its data replicas are replaced elsewhere, in the
    /// background. Returns at once with the silo's data replicas still to move; calling it again
    /// for a draining silo only reports that count.
    /// </summary>
    /// <exception cref="NotFoundException">No such silo.</exception>
    /// <exception cref="OperationRefusedException">
    /// The router refused: the silo is dead, or the silos left active could not hold every replica.
    /// </exception>
    public async Task<int> DrainSiloAsync(string siloId, CancellationToken cancellationToken = default)
    {
        var view = await ScaleInAsync(new ScaleInRequest { SiloId = siloId }, "drain", cancellationToken).ConfigureAwait(false);
        return view is null ? 0 : DataReplicasOn(view, siloId);
    }

    /// <summary>
    /// Makes a draining silo active again: it keeps the replicas it still holds and the balancer
    /// gives it its share of replicas and leaders again. Calling it for an active silo succeeds.
    /// </summary>
    /// <exception cref="NotFoundException">No such silo.</exception>
    /// <exception cref="OperationRefusedException">The silo is dead or removed.</exception>
    public async Task UndrainSiloAsync(string siloId, CancellationToken cancellationToken = default) =>
        await ScaleInAsync(new ScaleInRequest { SiloId = siloId, Undrain = true }, "undrain", cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Takes a drained silo, holding no data replica any more, out of the cluster: its meta
    /// replica leaves the router's group and the silo stops itself (cleanly, exit code 0). Calling it
    /// again for a removed silo succeeds.
    /// </summary>
    /// <exception cref="NotFoundException">No such silo.</exception>
    /// <exception cref="OperationRefusedException">The silo is not drained, or still holds data replicas.</exception>
    public async Task RemoveSiloAsync(string siloId, CancellationToken cancellationToken = default) =>
        await ScaleInAsync(new ScaleInRequest { SiloId = siloId, Remove = true }, "remove", cancellationToken).ConfigureAwait(false);

    private async Task<ClusterView?> ScaleInAsync(ScaleInRequest request, string what, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(request.SiloId, "siloId");
        using var call = new CallContext(_options, isWrite: false, cancellationToken);
        var response = await RouteAsync(call, ShardSelector.ForShard(0), _ => new ClientRequest { ScaleIn = request.Clone() }, what)
            .ConfigureAwait(false);
        return response.Status switch
        {
            ResponseStatus.Ok => response.Cluster,
            ResponseStatus.PreconditionFailed => throw new OperationRefusedException(response.Error),
            ResponseStatus.NotFound => throw new NotFoundException($"{what}: {response.Error}"),
            _ => throw new MultiRaftException($"{what}: unexpected answer {response.Status} {response.Error}"),
        };
    }

    /// <summary>
    /// Splits data shard <paramref name="shardId"/> at <paramref name="splitHash"/> (a key hash
    /// strictly inside its range; null: the middle of its range). Returns once the router's map
    /// holds both shards: the shard keeps [hash_start, split) and the new one takes [split,
    /// hash_end), with a replica beside each of the shard's. The shard's leader then moves the
    /// keys (and the client sessions) in its own log, in the background; requests routed before
    /// the split are answered with a retryable stale-epoch error and retried, never served stale.
    /// </summary>
    /// <returns>The shard and the new shard, as the router's map has them after the split.</returns>
    /// <exception cref="NotFoundException">No such data shard.</exception>
    /// <exception cref="OperationRefusedException">
    /// The router refused: the hash is not inside the range, the shard has a replica change in
    /// progress or a replica that is not a voter, or its range changed meanwhile.
    /// </exception>
    public async Task<(ShardDescriptor Shard, ShardDescriptor NewShard)> SplitShardAsync(ulong shardId, ulong? splitHash = null,
        CancellationToken cancellationToken = default)
    {
        using var call = new CallContext(_options, isWrite: false, cancellationToken);
        var response = await RouteAsync(call, ShardSelector.ForShard(0), _ => new ClientRequest
        {
            SplitShard = new SplitShardRequest { ShardId = shardId, SplitHash = splitHash ?? 0 },
        }, "split").ConfigureAwait(false);
        switch (response.Status)
        {
            case ResponseStatus.Ok when response.Cluster is { } view:
                Accept(view);
                var shard = view.Shards.First(s => s.ShardId == shardId);
                var added = view.Shards.First(s => s.ShardId != 0 && s.HashStart == shard.HashEnd);
                return (shard, added);
            case ResponseStatus.ShardNotFound:
            case ResponseStatus.NotFound:
                throw new NotFoundException($"split: {response.Error}");
            case ResponseStatus.PreconditionFailed:
                throw new OperationRefusedException(response.Error);
            default:
                throw new MultiRaftException($"split: unexpected answer {response.Status} {response.Error}");
        }
    }

    /// <summary>How many data-shard replicas the view places on <paramref name="siloId"/>.</summary>
    public static int DataReplicasOn(ClusterView view, string siloId)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.Shards.Where(s => s.ShardId != 0).Sum(s => s.Replicas.Count(r => r.SiloId == siloId));
    }

    /// <summary>How many data shards the view's leader reports place on <paramref name="siloId"/> (one report per shard).</summary>
    public static int LeadersOn(ClusterView view, string siloId)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.Leaders.Count(l => l.ShardId != 0 && l.SiloId == siloId);
    }

    /// <summary>Nothing to release: the Orleans client or silo underneath belongs to its host.</summary>
    public ValueTask DisposeAsync()
    {
        _sessionFile?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Grains.Interfaces.Protos.ReadConsistency ToWire(ReadConsistency consistency) => consistency switch
    {
        ReadConsistency.Stale => Grains.Interfaces.Protos.ReadConsistency.Stale,
        _ => Grains.Interfaces.Protos.ReadConsistency.Linearizable,
    };
}
