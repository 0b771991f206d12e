using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Silo.Cluster;
using MultiRaft.Silo.Hosting;
using MultiRaft.Tests.Support;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Several real silos (engine, file WAL with fsync, transport, gateway, HTTP API) in this test
/// process, each on its own loopback ports and temporary data directory.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private readonly List<(SiloOptions Options, WebApplication App)> _silos = [];
    private readonly string _root = Directory.CreateTempSubdirectory("multiraft-cluster-").FullName;
    private readonly TcpGatewayConnector _connector = new();

    public IReadOnlyList<SiloOptions> Silos => _silos.Select(s => s.Options).ToArray();

    public IGatewayConnector Connector => _connector;

    /// <summary>Changes each silo's options before it starts (storage provider, timings).</summary>
    public Action<SiloOptions>? Configure { get; init; }

    public static async Task<InProcessCluster> StartAsync(int silos, int shards, Action<SiloOptions>? configure = null)
    {
        var c = new InProcessCluster { Configure = configure };
        for (var i = 1; i <= silos; i++)
        {
            await c.AddSiloAsync(shards).ConfigureAwait(false);
        }

        return c;
    }

    /// <summary>
    /// Starts the first silo, then all the others at once, so that the router places the
    /// shards' replicas over every silo instead of filling the first three.
    /// </summary>
    public static async Task<InProcessCluster> StartSpreadAsync(int silos, int shards)
    {
        var c = new InProcessCluster();
        await c.AddSiloAsync(shards).ConfigureAwait(false);
        var ports = Ports.Free(3 * (silos - 1));
        await Task.WhenAll(Enumerable.Range(2, silos - 1).Select(n => c.AddSiloAsync(shards, n, ports.AsSpan((n - 2) * 3, 3).ToArray()))).ConfigureAwait(false);
        return c;
    }

    public async Task<SiloOptions> AddSiloAsync(int shards = 4, int? index = null, int[]? freePorts = null)
    {
        var n = index ?? _silos.Count + 1;
        var ports = freePorts ?? Ports.Free(3);
        var options = new SiloOptions
        {
            SiloId = $"s{n}",
            SiloPort = ports[0],
            GatewayPort = ports[1],
            HttpPort = ports[2],
            DataDirectory = Path.Combine(_root, $"s{n}"),
            InitialShards = shards,
            Join = n == 1 ? "" : _silos[0].Options.GatewayAddress,
            TickMs = 50,
            HeartbeatIntervalMs = 200,
            SiloDeadAfterMs = 5000,
            Workers = 1,
        };
        Configure?.Invoke(options);
        var app = await SiloHost.BuildAsync(options, logging: b => b.ClearProviders().SetMinimumLevel(LogLevel.Warning)).ConfigureAwait(false);
        await app.StartAsync().ConfigureAwait(false);
        lock (_silos)
        {
            _silos.Add((options, app));
            _silos.Sort((a, b) => string.CompareOrdinal(a.Options.SiloId.PadLeft(4), b.Options.SiloId.PadLeft(4)));
        }

        await app.Services.GetRequiredService<SiloCluster>().Ready.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return options;
    }

    public MultiRaftClient NewClient(TimeSpan? timeout = null)
    {
        var o = new MultiRaftClientOptions { RequestTimeout = timeout ?? TimeSpan.FromSeconds(10) };
        foreach (var s in _silos)
        {
            o.Endpoints.Add(s.Options.GatewayAddress);
        }

        return new MultiRaftClient(o);
    }

    /// <summary>A running silo's services (its engine, its HTTP API's shortcut).</summary>
    public IServiceProvider Services(int silo) => _silos[silo].App.Services;

    public Uri HttpBase(int silo) => new($"http://{_silos[silo].Options.HttpAddress}/");

    public Task<ClientResponse> SendAsync(int silo, ClientRequest request) =>
        _connector.SendAsync(_silos[silo].Options.GatewayAddress, request, CancellationToken.None).AsTask();

    /// <summary>The cluster view as silo 0 sees it.</summary>
    public async Task<ClusterView> ViewAsync(int silo = 0)
    {
        var r = await SendAsync(silo, new ClientRequest { Cluster = new ClusterRequest() }).ConfigureAwait(false);
        Assert.Equal(ResponseStatus.Ok, r.Status);
        return r.Cluster;
    }

    /// <summary>
    /// Waits (bounded) until every data shard lists <paramref name="replicas"/> replicas, each
    /// silo hosting its replicas has caught up to the same applied index and digest, and a leader is known.
    /// </summary>
    public async Task<IReadOnlyDictionary<ulong, byte[]>> WaitConvergedAsync(int replicas, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var (ok, why, digests) = await TryConvergedAsync(replicas).ConfigureAwait(false);
            if (ok)
            {
                return digests;
            }

            last = why;
            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"cluster did not converge within {timeout}: {last}");
    }

    private async Task<(bool, string, Dictionary<ulong, byte[]>)> TryConvergedAsync(int replicas)
    {
        var digests = new Dictionary<ulong, byte[]>();
        var view = await ViewAsync().ConfigureAwait(false);
        foreach (var shard in view.Shards.Where(s => s.ShardId != 0))
        {
            if (shard.Replicas.Count != replicas)
            {
                return (false, $"shard {shard.ShardId} has {shard.Replicas.Count} replicas", digests);
            }

            byte[]? first = null;
            ulong firstApplied = 0;
            foreach (var r in shard.Replicas)
            {
                var silo = _silos.FindIndex(s => s.Options.SiloId == r.SiloId);
                var d = await SendAsync(silo, new ClientRequest { Digest = new DigestRequest { ShardId = shard.ShardId } }).ConfigureAwait(false);
                if (d.Status != ResponseStatus.Ok)
                {
                    return (false, $"shard {shard.ShardId} on {r.SiloId}: {d.Status}", digests);
                }

                if (d.Shard.Replicas.Count(m => m.Role == ReplicaRole.Voter) != replicas)
                {
                    return (false, $"shard {shard.ShardId} on {r.SiloId}: Raft has {d.Shard.Replicas.Count(m => m.Role == ReplicaRole.Voter)} voters", digests);
                }

                if (first is null)
                {
                    (first, firstApplied) = (d.Value.ToByteArray(), d.Version);
                }
                else if (d.Version != firstApplied || !first.AsSpan().SequenceEqual(d.Value.Span))
                {
                    return (false, $"shard {shard.ShardId}: replicas at {firstApplied} and {d.Version} differ", digests);
                }
            }

            digests[shard.ShardId] = first!;
        }

        return (true, "", digests);
    }

    public async Task StopSiloAsync(int silo)
    {
        await _silos[silo].App.StopAsync().ConfigureAwait(false);
        await _silos[silo].App.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Starts a stopped silo again with the same options: it recovers from its storage.</summary>
    public async Task RestartSiloAsync(int silo)
    {
        var options = _silos[silo].Options;
        var app = await SiloHost.BuildAsync(options, logging: b => b.ClearProviders().SetMinimumLevel(LogLevel.Warning)).ConfigureAwait(false);
        await app.StartAsync().ConfigureAwait(false);
        _silos[silo] = (options, app);
        await app.Services.GetRequiredService<SiloCluster>().Ready.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _connector.DisposeAsync().ConfigureAwait(false);
        foreach (var (_, app) in Enumerable.Reverse(_silos))
        {
            try
            {
                await app.StopAsync().ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
