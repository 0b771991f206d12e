using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Silo.Cluster;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage;
using MultiRaft.Tests.Support;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Several real Orleans silos (engine, file WAL with fsync, HTTP API) in this test process, each
/// on its own loopback ports and temporary data directory, joined by development clustering
/// (silo 1 holds the membership table), and one Orleans client over every silo's gateway.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private readonly List<(SiloOptions Options, WebApplication App)> _silos = [];
    private readonly string _root = Directory.CreateTempSubdirectory("multiraft-cluster-").FullName;
    private ClusterClientHost? _client;

    public IReadOnlyList<SiloOptions> Silos => _silos.Select(s => s.Options).ToArray();

    /// <summary>Changes each silo's options before it starts (storage provider, timings).</summary>
    public Action<SiloOptions>? Configure { get; init; }

    /// <summary>The Orleans client's grain factory (connected to every silo's gateway).</summary>
    public IGrainFactory Grains => (_client ?? throw new InvalidOperationException("the cluster has no client yet")).Grains;

    public static async Task<InProcessCluster> StartAsync(int silos, int shards, Action<SiloOptions>? configure = null)
    {
        var c = new InProcessCluster { Configure = configure };
        return await c.StartOrDisposeAsync(async () =>
        {
            for (var i = 1; i <= silos; i++)
            {
                await c.AddSiloAsync(shards).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the first silo, then all the others at once, so that the router places the
    /// shards' replicas over every silo instead of filling the first three.
    /// </summary>
    public static async Task<InProcessCluster> StartSpreadAsync(int silos, int shards)
    {
        var c = new InProcessCluster();
        return await c.StartOrDisposeAsync(async () =>
        {
            await c.AddSiloAsync(shards).ConfigureAwait(false);
            var ports = Ports.Free(3 * (silos - 1));
            var together = new SiloStartBarrier(silos - 1);
            await Task.WhenAll(Enumerable.Range(2, silos - 1).Select(n => c.AddSiloAsync(shards, n, ports.AsSpan((n - 2) * 3, 3).ToArray(), together)))
                .ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Starts one more silo (the next name), which joins the running cluster; returns its id.</summary>
    public async Task<string> JoinSiloAsync(int shards) => (await AddSiloAsync(shards).ConfigureAwait(false)).SiloId;

    // A cluster that fails to start stops what did start: silos left running would outlive the test.
    private async Task<InProcessCluster> StartOrDisposeAsync(Func<Task> startSilos)
    {
        try
        {
            await startSilos().ConfigureAwait(false);
            await ConnectAsync().ConfigureAwait(false);
            return this;
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<SiloOptions> AddSiloAsync(int shards, int? index = null, int[]? freePorts = null, SiloStartBarrier? together = null)
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
            // Development clustering: every other silo joins through silo 1's silo-to-silo endpoint.
            Join = n == 1 ? "" : _silos[0].Options.SiloAddress,
            TickMs = 50,
            HeartbeatIntervalMs = 200,
            Workers = 1,
        };
        Configure?.Invoke(options);
        var app = await StartSiloAsync(options, together: together).ConfigureAwait(false);
        lock (_silos)
        {
            _silos.Add((options, app));
            _silos.Sort((a, b) => string.CompareOrdinal(a.Options.SiloId.PadLeft(4), b.Options.SiloId.PadLeft(4)));
        }

        return options;
    }

    private static async Task<WebApplication> StartSiloAsync(SiloOptions options, Action<ReplicaStore>? opened = null, SiloStartBarrier? together = null)
    {
        var app = await SiloHost.BuildAsync(options, logging: b =>
        {
            b.ClearProviders().SetMinimumLevel(LogLevel.Warning);
            // MULTIRAFT_TEST_LOGS=1: the silos' own log lines on the console (run the test executable itself to see them).
            if (Environment.GetEnvironmentVariable("MULTIRAFT_TEST_LOGS") is "1")
            {
                b.SetMinimumLevel(LogLevel.Information).AddSimpleConsole(o => o.SingleLine = true).AddFilter("Orleans", LogLevel.Warning);
            }
            if (together is not null)
            {
                // The logging builder is the one door SiloHost opens onto the silo's services.
                b.Services.AddSingleton(together.Participant());
            }
        }).ConfigureAwait(false);
        if (opened is not null)
        {
            var storage = app.Services.GetRequiredService<MultiRaftStorage>();
            await storage.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            opened(storage.Store);
        }

        try
        {
            await app.StartAsync().ConfigureAwait(false);
            await app.Services.GetRequiredService<SiloCluster>().Ready.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            return app;
        }
        catch
        {
            await StopAsync(app).ConfigureAwait(false);
            throw;
        }
    }

    // Disposing the host closes the silo's storage (and its WAL directory's lock), so a restart can open it.
    private static async Task StopAsync(WebApplication app)
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ConnectAsync() =>
        _client = await ClusterClientHost.StartAsync(Gateways(), _silos[0].Options.ClusterId, _silos[0].Options.ServiceId).ConfigureAwait(false);

    /// <summary>Every silo's gateway endpoint (running or not).</summary>
    public IEnumerable<IPEndPoint> Gateways() => _silos.Select(s => IPEndPoint.Parse(s.Options.GatewayAddress));

    /// <summary>A gateway endpoint (for a client that must enter the cluster at one silo).</summary>
    public IPEndPoint Gateway(int silo) => IPEndPoint.Parse(_silos[silo].Options.GatewayAddress);

    /// <summary>A client over the cluster's Orleans client.</summary>
    public MultiRaftClient NewClient(TimeSpan? timeout = null) =>
        new(Grains, new MultiRaftClientOptions { RequestTimeout = timeout ?? TimeSpan.FromSeconds(10) });

    /// <summary>A running silo's services (its engine, its HTTP API's shortcut).</summary>
    public IServiceProvider Services(int silo) => _silos[silo].App.Services;

    public Uri HttpBase(int silo) => new($"http://{_silos[silo].Options.HttpAddress}/");

    /// <summary>The index of the silo named <paramref name="siloId"/>.</summary>
    public int IndexOf(string siloId) => _silos.FindIndex(s => s.Options.SiloId == siloId);

    /// <summary>The replica grain of member <paramref name="replicaId"/> of a shard, living on <paramref name="siloId"/>.</summary>
    public IReplicaGrain Replica(ulong shardId, ulong replicaId, string siloId) =>
        Grains.GetGrain<IReplicaGrain>(GrainKeys.Replica(shardId, replicaId, siloId));

    /// <summary>The replica grain of <paramref name="shard"/>'s member on silo number <paramref name="silo"/>.</summary>
    public IReplicaGrain ReplicaOn(ShardDescriptor shard, int silo)
    {
        var siloId = _silos[silo].Options.SiloId;
        var member = shard.Replicas.Single(r => r.SiloId == siloId);
        return Replica(shard.ShardId, member.ReplicaId, siloId);
    }

    /// <summary>
    /// The silo other than s1 (which holds development clustering's membership table, so it must
    /// stay) with the most data replicas in <paramref name="view"/>; on a tie the smaller id.
    /// </summary>
    public static string BusiestSiloBesidesFirst(ClusterView view) =>
        view.Shards.Where(s => s.ShardId != 0).SelectMany(s => s.Replicas).Where(r => r.SiloId != "s1")
            .GroupBy(r => r.SiloId).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;

    /// <summary>The cluster view, from the router grain (as the silo serving the call sees it).</summary>
    public async Task<ClusterView> ViewAsync()
    {
        var r = await Grains.GetGrain<IRouterGrain>(0).GetView().ConfigureAwait(false);
        Assert.Equal(ResponseStatus.Ok, r.Status);
        return r.Cluster;
    }

    /// <summary>
    /// Waits (bounded) until the balancer is done over the active silos (<see cref="Balance.Unbalanced"/>).
    /// Tests that compare placements before and after an event start from here, so that no move
    /// of the balancer's own lands in between.
    /// </summary>
    public async Task<ClusterView> WaitBalancedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var view = await ViewAsync().ConfigureAwait(false);
            var why = Balance.Unbalanced(view, view.Silos.Count(s => s.Status == SiloStatus.Active));
            if (why.Length == 0)
            {
                return view;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not balanced within {timeout}: {why}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
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
        ClusterView view;
        try
        {
            var r = await Grains.GetGrain<IRouterGrain>(0).GetView().ConfigureAwait(false);
            if (r.Status != ResponseStatus.Ok)
            {
                // A silo that has just (re)started may not have the router's state yet.
                return (false, $"no view: {r.Status} {r.Error}", digests);
            }

            view = r.Cluster;
        }
        catch (Exception ex)
        {
            return (false, $"no view: {ex.GetType().Name} {ex.Message}", digests);
        }

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
                ClientResponse d;
                try
                {
                    d = await Replica(shard.ShardId, r.ReplicaId, r.SiloId).Digest().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // A silo that is down refuses placement of its replicas: not converged yet.
                    return (false, $"shard {shard.ShardId} on {r.SiloId}: {ex.GetType().Name} {ex.Message}", digests);
                }

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

    /// <summary>Stops a silo gracefully (Orleans marks it dead) and releases its storage.</summary>
    public async Task StopSiloAsync(int silo)
    {
        var app = _silos[silo].App;
        await StopAsync(app).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a stopped silo again with the same options: it recovers from its storage. Returns
    /// what its storage held when opened, before the silo started: each replica's last log index.
    /// </summary>
    public async Task<IReadOnlyDictionary<ReplicaId, ulong>> RestartSiloAsync(int silo)
    {
        var options = _silos[silo].Options;
        var recovered = new Dictionary<ReplicaId, ulong>();
        var app = await StartSiloAsync(options, store =>
        {
            foreach (var id in store.Replicas)
            {
                recovered[id] = store.Find(id)!.LastIndex;
            }
        }).ConfigureAwait(false);
        _silos[silo] = (options, app);
        return recovered;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }

        // Silo 1 holds the membership table: it stops last.
        foreach (var (_, app) in Enumerable.Reverse(_silos))
        {
            try
            {
                await StopAsync(app).ConfigureAwait(false);
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
