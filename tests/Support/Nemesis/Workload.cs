using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Linearizability;
using Orleans.Runtime;

namespace MultiRaft.Nemesis;

/// <summary>
/// Concurrent workers on a small key set: linearizable reads, puts, compare-and-set with the
/// last version the worker saw, and deletes, through the .NET client and the HTTP API. Every
/// operation goes into a <see cref="HistoryRecorder"/> as ok, failed (definitely not applied)
/// or unknown.
/// </summary>
public sealed class Workload : IAsyncDisposable
{
    private readonly ClusterHarness _cluster;
    private readonly WorkloadOptions _options;
    private readonly NemesisClient _client;
    private readonly HttpClient _http;
    private readonly int _seed;
    private readonly ConcurrentDictionary<string, SiloClient> _perSilo = new();
    private int _rawNext;
    private ClusterView? _view;

    private Workload(ClusterHarness cluster, WorkloadOptions options, int seed, NemesisClient client)
    {
        _cluster = cluster;
        _options = options;
        _seed = seed;
        _client = client;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = options.RequestTimeout + TimeSpan.FromMilliseconds(1500) };
        Keys = Enumerable.Range(0, options.Keys).Select(i => $"nemesis/k{i}").ToList();
    }

    /// <summary>
    /// Connects the workload's Orleans client to the cluster's gateways (following silos that
    /// join, and gateways that die and come back); <see cref="RunAsync"/> starts the workers.
    /// </summary>
    public static async Task<Workload> StartAsync(ClusterHarness cluster, WorkloadOptions options, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        var client = await NemesisClient.StartAsync(cluster.ClusterId, () => cluster.Gateways, options.RequestTimeout,
            connectFor: TimeSpan.FromSeconds(30), Path.Combine(cluster.Root, "client.log"), cancellationToken);
        return new Workload(cluster, options, seed, client);
    }

    /// <summary>Everything recorded so far.</summary>
    public HistoryRecorder History { get; } = new();

    /// <summary>The keys operated on.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Counts of the recorded operations by outcome.</summary>
    public OpCounts Counts()
    {
        var h = History.History();
        return new OpCounts(h.Count, h.Count(o => o.Outcome == Outcome.Ok), h.Count(o => o.Outcome == Outcome.Failed), h.Count(o => o.Outcome == Outcome.Unknown));
    }

    /// <summary>
    /// Operations answered ok in each second from <paramref name="start"/> (a
    /// <see cref="Stopwatch"/> timestamp), with the failed and unknown ones where there were any:
    /// the run's availability at a glance, e.g. <c>212 208 31/4f/2u 0/9f ...</c>.
    /// </summary>
    public string Timeline(long start)
    {
        var buckets = new SortedDictionary<long, (int Ok, int Failed, int Unknown)>();
        foreach (var op in History.History())
        {
            var at = op.Outcome == Outcome.Unknown ? op.InvokeTime : op.ReturnTime;
            var second = (at - start) / Stopwatch.Frequency;
            if (second < 0 || at == long.MaxValue)
            {
                continue;
            }

            var b = buckets.GetValueOrDefault(second);
            buckets[second] = op.Outcome switch
            {
                Outcome.Ok => (b.Ok + 1, b.Failed, b.Unknown),
                Outcome.Failed => (b.Ok, b.Failed + 1, b.Unknown),
                _ => (b.Ok, b.Failed, b.Unknown + 1),
            };
        }

        var last = buckets.Count == 0 ? -1 : buckets.Keys.Max();
        var parts = new List<string>();
        for (var i = 0L; i <= last; i++)
        {
            var (ok, failed, unknown) = buckets.GetValueOrDefault(i);
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{ok}{(failed > 0 ? $"/{failed}f" : "")}{(unknown > 0 ? $"/{unknown}u" : "")}"));
        }

        return string.Join(' ', parts);
    }

    /// <summary>Runs every worker until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken stop)
    {
        var workers = new List<Task>();
        for (var w = 0; w < _options.ClientWorkers + _options.HttpWorkers; w++)
        {
            var id = w;
            workers.Add(Task.Run(() => WorkerAsync(id, id >= _options.ClientWorkers, stop), CancellationToken.None));
        }

        return Task.WhenAll(workers);
    }

    /// <summary>
    /// After the run: reads every key through the client until it answers (each attempt is
    /// recorded), so that a lost acknowledged write shows up in the checked history.
    /// </summary>
    public async Task<bool> FinalReadsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var client = 1000;
        foreach (var key in Keys)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (outcome, _) = await ClientOpAsync(client, key, KvInput.Get(), cancellationToken);
                if (outcome == Outcome.Ok)
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    return false;
                }

                await Task.Delay(200, cancellationToken);
            }
        }

        return true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        foreach (var c in _perSilo.Values)
        {
            await c.DisposeAsync();
        }

        _http.Dispose();
    }

    private async Task WorkerAsync(int worker, bool viaHttp, CancellationToken stop)
    {
        var rng = new Random(HashCode.Combine(_seed, worker));
        var lastVersion = new Dictionary<string, long>();
        var seq = 0;
        while (!stop.IsCancellationRequested)
        {
            var key = Keys[rng.Next(Keys.Count)];
            var value = string.Create(CultureInfo.InvariantCulture, $"w{worker}-{seq++}");
            var roll = rng.Next(100);
            var seen = lastVersion.GetValueOrDefault(key);
            var input = roll switch
            {
                < 45 => KvInput.Get(),
                < 70 => KvInput.Put(value),
                < 90 => seen == 0 ? KvInput.Create(value) : KvInput.CompareAndSet(seen, value),
                _ => KvInput.Delete(),
            };
            (Outcome Outcome, KvOutput Output) result;
            // The operation itself is never cancelled by the stop signal: its fate must be recorded.
            if (input.Kind == OperationKind.Get && _options.RawReadsToEverySilo)
            {
                result = await RawGetAsync(worker, key);
            }
            else if (viaHttp)
            {
                result = await HttpOpAsync(worker, key, input, rng);
            }
            else
            {
                result = await ClientOpAsync(worker, key, input, CancellationToken.None);
            }

            if (result.Outcome == Outcome.Ok)
            {
                if (result.Output.Success && result.Output.Version != 0)
                {
                    lastVersion[key] = result.Output.Version;
                }
                else if (input.Kind is OperationKind.Get or OperationKind.Delete && !result.Output.Success)
                {
                    lastVersion[key] = 0;
                }
            }

            try
            {
                await Task.Delay(_options.ThinkTime, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<(Outcome, KvOutput)> ClientOpAsync(int worker, string key, KvInput input, CancellationToken cancellationToken)
    {
        var id = History.Invoke(worker, key, input);
        var k = Encoding.UTF8.GetBytes(key);
        var v = Encoding.UTF8.GetBytes(input.Value ?? "");
        try
        {
            var client = _client.Client;
            var output = input.Kind switch
            {
                OperationKind.Get => await client.GetAsync(k, cancellationToken: cancellationToken) is { } e
                    ? KvOutput.Found(Encoding.UTF8.GetString(e.Value.Span), (long)e.Version)
                    : KvOutput.NotFound,
                OperationKind.Put => KvOutput.Written((long)await client.PutAsync(k, v, cancellationToken: cancellationToken)),
                OperationKind.Delete => await client.DeleteAsync(k, cancellationToken: cancellationToken) ? KvOutput.Deleted : KvOutput.NotFound,
                OperationKind.Create => KvOutput.Written((long)await client.CompareAndSetAsync(k, v, 0, cancellationToken)),
                _ => KvOutput.Written((long)await client.CompareAndSetAsync(k, v, (ulong)input.ExpectedVersion, cancellationToken)),
            };
            History.Ok(id, output);
            return (Outcome.Ok, output);
        }
        catch (PreconditionFailedException)
        {
            History.Ok(id, KvOutput.Rejected);
            return (Outcome.Ok, KvOutput.Rejected);
        }
        catch (UnavailableException)
        {
            History.Fail(id);
            return (Outcome.Failed, default);
        }
        catch (Exception e) when (e is MultiRaftException or OperationCanceledException or TimeoutException or OrleansException
            or IOException or SocketException)
        {
            // OutcomeUnknownException (a call that failed in transit, a timeout after sending) and
            // anything Orleans lets through: a write's fate is open; a read changed nothing.
            return Unknown(id, input);
        }
    }

    private async Task<(Outcome, KvOutput)> HttpOpAsync(int worker, string key, KvInput input, Random rng)
    {
        // A silo the drain nemesis removed has stopped for good: asking it would only measure the refusal.
        var serving = _cluster.Silos.Where(s => !s.Removed).ToList();
        var silo = serving[rng.Next(serving.Count)];
        var uri = new Uri(silo.HttpBase, "kv/" + Uri.EscapeDataString(key));
        using var request = new HttpRequestMessage(input.Kind switch
        {
            OperationKind.Get => HttpMethod.Get,
            OperationKind.Delete => HttpMethod.Delete,
            _ => HttpMethod.Put,
        }, uri);
        if (input.Value is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(input.Value));
        }

        if (input.Kind == OperationKind.CompareAndSet)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{input.ExpectedVersion}\""));
        }
        else if (input.Kind == OperationKind.Create)
        {
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        }

        // A write travels on a connection of its own, so that a failed connect means it was never
        // sent: on a shared connection SocketsHttpHandler silently resends a request whose
        // connection closed unanswered (a silo killed after reading it) and then reports only the
        // resend's failed connect, although the first attempt may have applied.
        var connected = new StrongBox<bool>();
        using var ownClient = input.IsWrite ? ConnectionOfItsOwn(connected) : null;
        var id = History.Invoke(worker, key, input);
        try
        {
            using var response = await (ownClient ?? _http).SendAsync(request);
            var version = response.Headers.ETag is { } tag ? long.Parse(tag.Tag.Trim('"'), CultureInfo.InvariantCulture) : 0;
            KvOutput? output = (response.StatusCode, input.Kind) switch
            {
                (HttpStatusCode.OK, OperationKind.Get) => KvOutput.Found(await response.Content.ReadAsStringAsync(), version),
                (HttpStatusCode.NotFound, OperationKind.Get or OperationKind.Delete) => KvOutput.NotFound,
                (HttpStatusCode.NoContent, OperationKind.Delete) => KvOutput.Deleted,
                (HttpStatusCode.NoContent, _) => KvOutput.Written(version),
                (HttpStatusCode.PreconditionFailed, OperationKind.CompareAndSet or OperationKind.Create) => KvOutput.Rejected,
                _ => null,
            };
            if (output is { } o)
            {
                History.Ok(id, o);
                return (Outcome.Ok, o);
            }

            // 503: no quorum within the deadline, not applied. 504 and anything else: unknown.
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable || (int)response.StatusCode is >= 400 and < 500)
            {
                History.Fail(id);
                return (Outcome.Failed, default);
            }

            return Unknown(id, input);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && !connected.Value)
        {
            // No connection was ever made for it (a killed or unreachable silo): nothing was sent.
            History.Fail(id);
            return (Outcome.Failed, default);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return Unknown(id, input);
        }
    }

    private HttpClient ConnectionOfItsOwn(StrongBox<bool> connected) => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(1),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                connected.Value = true;
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        Timeout = _options.RequestTimeout + TimeSpan.FromMilliseconds(1500),
    };

    // A linearizable Get sent straight to the replica grain on the next silo, through a client
    // whose only gateway is that silo (so no other silo relays it): correct replicas read through
    // ReadIndex on the leader or refuse; with the planted bug any replica answers from its own state.
    private async Task<(Outcome, KvOutput)> RawGetAsync(int worker, string key)
    {
        var silos = _cluster.Silos;
        var silo = silos[(int)((uint)Interlocked.Increment(ref _rawNext) % (uint)silos.Count)];
        var id = History.Invoke(worker, key, KvInput.Get());
        try
        {
            _view ??= await _cluster.TryViewAsync();
            var hash = KeyHash.Of(Encoding.UTF8.GetBytes(key));
            var shard = _view?.Shards.FirstOrDefault(s => s.ShardId != 0 && s.HashStart <= hash && hash < s.HashEnd);
            var replica = shard?.Replicas.FirstOrDefault(r => r.SiloId == silo.SiloId);
            var client = await _perSilo.GetOrAdd(silo.SiloId, _ => new SiloClient(_cluster, silo, _options.RequestTimeout)).GetAsync();
            if (shard is null || replica is null || client is null)
            {
                History.Fail(id);
                return (Outcome.Failed, default);
            }

            var grain = client.Grains.GetGrain<IReplicaGrain>(GrainKeys.Replica(shard.ShardId, replica.ReplicaId, silo.SiloId));
            var timeout = (uint)_options.RequestTimeout.TotalMilliseconds;
            var response = await grain.Get(new GetRequest
            {
                Route = new ShardRoute { ShardId = shard.ShardId, Epoch = shard.Epoch?.Clone() ?? new ShardEpoch() },
                Key = ByteString.CopyFromUtf8(key),
                Consistency = Grains.Interfaces.Protos.ReadConsistency.Linearizable,
            }, timeout).WaitAsync(_options.RequestTimeout);
            KvOutput? output = response.Status switch
            {
                ResponseStatus.Ok => KvOutput.Found(response.Value.ToStringUtf8(), (long)response.Version),
                ResponseStatus.NotFound => KvOutput.NotFound,
                _ => null,
            };
            if (response.Status is ResponseStatus.StaleEpoch or ResponseStatus.ShardNotFound)
            {
                _view = null;
            }

            if (output is { } o)
            {
                History.Ok(id, o);
                return (Outcome.Ok, o);
            }

            History.Fail(id);
            return (Outcome.Failed, default);
        }
        catch (Exception e) when (e is MultiRaftException or OperationCanceledException or TimeoutException or OrleansException
            or IOException or SocketException)
        {
            History.Fail(id);
            return (Outcome.Failed, default);
        }
    }

    // A read without an answer changed nothing, so it is dropped; a write's fate stays open.
    private (Outcome, KvOutput) Unknown(int id, KvInput input)
    {
        if (input.IsWrite)
        {
            History.Unknown(id);
            return (Outcome.Unknown, default);
        }

        History.Fail(id);
        return (Outcome.Failed, default);
    }

    // An Orleans client whose only gateway is one silo, made on first use and again after a
    // failed start (at most once a second); a restarted silo's gateway is reconnected by Orleans.
    private sealed class SiloClient(ClusterHarness cluster, SiloProcess silo, TimeSpan requestTimeout) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private NemesisClient? _client;
        private DateTime _nextTry;

        public async Task<NemesisClient?> GetAsync()
        {
            if (_client is { } ready)
            {
                return ready;
            }

            if (!await _gate.WaitAsync(0))
            {
                return null;
            }

            try
            {
                if (_client is null && DateTime.UtcNow >= _nextTry)
                {
                    _nextTry = DateTime.UtcNow + TimeSpan.FromSeconds(1);
                    try
                    {
                        _client = await NemesisClient.StartAsync(cluster.ClusterId, () => [silo.GatewayEndPoint], requestTimeout,
                            connectFor: TimeSpan.Zero, Path.Combine(cluster.Root, $"client-{silo.SiloId}.log"), CancellationToken.None);
                    }
                    catch (Exception e) when (e is OrleansException or OperationCanceledException or TimeoutException or IOException or SocketException)
                    {
                    }
                }

                return _client;
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_client is { } c)
            {
                await c.DisposeAsync();
            }

            _gate.Dispose();
        }
    }
}
