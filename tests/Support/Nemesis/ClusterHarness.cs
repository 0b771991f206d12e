using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Tests.Support;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Nemesis;

/// <summary>
/// A cluster of silo processes (Orleans silos), each in its own network namespace when the
/// machine allows (else on loopback, process faults only). It supervises them like a container
/// restart policy: a silo that exits on its own (Orleans stops a silo that learns it was declared
/// dead) is restarted and the restart recorded in <see cref="Restarts"/>. Disposing kills every
/// process and removes the namespaces, also after a failure.
/// </summary>
public sealed partial class ClusterHarness : IAsyncDisposable
{
    /// <summary>The Orleans service id of every silo and client.</summary>
    public const string ServiceId = "multiraft";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Action<string> _log;
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = TimeSpan.FromSeconds(1) };
    private readonly bool _ownsRoot;
    private readonly Lock _restartsLock = new();
    private readonly List<SiloRestart> _restarts = [];
    private readonly Dictionary<string, (DateTime LastStart, TimeSpan Delay)> _backoff = [];
    private volatile bool _disposed;

    private ClusterHarness(ClusterOptions options, NetworkLab? lab, string root, bool ownsRoot, Action<string> log)
    {
        Options = options;
        Lab = lab;
        Root = root;
        _ownsRoot = ownsRoot;
        _log = log;
        ClusterId = options.ClusterId ?? (options.Clustering == ClusteringMode.Localhost
            ? "multiraft-dev"
            : string.Create(CultureInfo.InvariantCulture, $"nemesis-{Environment.ProcessId:x}-{DateTime.UtcNow:HHmmssfff}"));
    }

    /// <summary>How the cluster was built.</summary>
    public ClusterOptions Options { get; }

    /// <summary>The namespaces, or null on plain loopback.</summary>
    public NetworkLab? Lab { get; }

    /// <summary>Data directories and logs.</summary>
    public string Root { get; }

    /// <summary>The Orleans cluster id of the silos (clients must use the same).</summary>
    public string ClusterId { get; }

    /// <summary>Keep <see cref="Root"/> (data and logs) on dispose even when the harness made it, as evidence.</summary>
    public bool KeepFiles { get; set; }

    /// <summary>The silos, in start order.</summary>
    public IReadOnlyList<SiloProcess> Silos { get; private set; } = [];

    /// <summary>Gateway endpoints of every silo.</summary>
    public IReadOnlyList<IPEndPoint> Gateways => Silos.Select(s => s.GatewayEndPoint).ToList();

    /// <summary>
    /// The silo whose loss takes membership down for everyone: s1 under development clustering
    /// (it holds the membership table in memory); null when membership lives elsewhere.
    /// </summary>
    public int? MembershipPrimary => Options.Clustering == ClusteringMode.Localhost ? 0 : null;

    /// <summary>The silos that kills, pauses and partitions may take away: all but the <see cref="MembershipPrimary"/>.</summary>
    public IReadOnlyList<int> FaultTargets => Enumerable.Range(0, Silos.Count).Where(i => i != MembershipPrimary).ToList();

    /// <summary>One line on how membership works here and what that means for the faults.</summary>
    public string MembershipNote => MembershipPrimary is { } p
        ? $"membership: Orleans development clustering, {Silos[p].SiloId} holds the membership table in memory, so kill, pause and partition spare it "
            + $"(it stays on the majority side and is the middle of a bridge); postgres clustering lifts this"
        : "membership: Orleans ADO.NET clustering on PostgreSQL; faults may target any silo";

    /// <summary>Silos that exited on their own and were restarted by the harness, in order.</summary>
    public IReadOnlyList<SiloRestart> Restarts
    {
        get
        {
            lock (_restartsLock)
            {
                return [.. _restarts];
            }
        }
    }

    /// <summary>
    /// Starts the cluster and waits until every shard has all its replicas and a leader.
    /// <paramref name="log"/> receives progress lines, including whether faults hit a real network.
    /// </summary>
    public static async Task<ClusterHarness> StartAsync(ClusterOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.Clustering == ClusteringMode.Postgres && string.IsNullOrEmpty(options.PostgresConnectionString))
        {
            throw new ArgumentException("postgres clustering needs PostgresConnectionString", nameof(options));
        }

        NetworkLab? lab = null;
        var reason = "disabled by the caller";
        if (options.UseNamespaces)
        {
            lab = NetworkLab.TryCreate(options.Silos, out reason);
        }

        log(lab is null
            ? $"NETWORK FAULTS UNAVAILABLE: plain loopback, process faults only ({reason})"
            : $"network namespaces {lab.Namespace(0)}..{lab.Namespace(options.Silos - 1)} on a bridge at {lab.BridgeAddress}");
        var root = options.RootDirectory ?? Directory.CreateTempSubdirectory("multiraft-nemesis-").FullName;
        var harness = new ClusterHarness(options, lab, root, options.RootDirectory is null, log);
        try
        {
            await harness.StartSilosAsync(cancellationToken);
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>The silo at <paramref name="index"/>.</summary>
    public SiloProcess this[int index] => Silos[index];

    /// <summary>The index of the silo named <paramref name="siloId"/>.</summary>
    public int IndexOf(string siloId) => Silos.ToList().FindIndex(s => s.SiloId == siloId);

    /// <summary>The cluster view (<c>GET /cluster</c>) from the first live silo that answers within a second, or null.</summary>
    public async Task<ClusterView?> TryViewAsync()
    {
        foreach (var s in Silos.Where(s => s.Running && !s.Paused))
        {
            if (await TryViewAsync(s) is { } view)
            {
                return view;
            }
        }

        return null;
    }

    /// <summary>The cluster view as <paramref name="silo"/> sees it, or null when it does not answer within a second.</summary>
    public async Task<ClusterView?> TryViewAsync(SiloProcess silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        try
        {
            using var response = await _http.GetAsync(new Uri(silo.HttpBase, "cluster"));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            return await response.Content.ReadFromJsonAsync<ViewJson>(Json) is { } json ? json.ToView() : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Per silo, how many data shards it leads, as the view reports.</summary>
    public async Task<Dictionary<string, int>> LeaderCountsAsync()
    {
        var view = await TryViewAsync();
        var counts = Silos.ToDictionary(s => s.SiloId, _ => 0);
        foreach (var l in view?.Leaders.Where(l => l.ShardId != 0) ?? [])
        {
            if (counts.ContainsKey(l.SiloId))
            {
                counts[l.SiloId]++;
            }
        }

        return counts;
    }

    /// <summary>Waits until every shard has all its replicas and a leader on a live silo; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await IsHealthyAsync())
            {
                return true;
            }

            await Task.Delay(200, cancellationToken);
        }

        return false;
    }

    /// <summary>
    /// Starts one more silo named <paramref name="siloId"/> that joins the running cluster (with
    /// development clustering through the membership primary's silo endpoint; with PostgreSQL
    /// through the membership table): in a new namespace at the next address when the cluster has
    /// namespaces, else on loopback with free ports. It becomes the last of <see cref="Silos"/>
    /// (so the health wait expects it), is supervised and killed on dispose like the others.
    /// </summary>
    public SiloProcess AddJoiningSilo(string siloId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var index = Lab?.AddSilo() ?? Silos.Count;
        if (index != Silos.Count)
        {
            throw new InvalidOperationException($"namespace {index} does not match silo {Silos.Count}");
        }

        var free = Lab is null ? Ports.Free(3) : [];
        var silo = NewSilo(siloId, index, Lab is null ? (free[0], free[1], free[2]) : NamespacePorts);
        // A new list, not a mutation: clients and nemeses read Silos concurrently.
        Silos = [.. Silos, silo];
        silo.Start();
        return silo;
    }

    /// <summary>How a joining silo finds the cluster, for the run's output.</summary>
    public string JoinPath => MembershipPrimary is { } p
        ? $"via the membership primary {Silos[p].SiloId} (--join {Silos[p].SiloEndPoint})"
        : "via the PostgreSQL membership table";

    /// <summary>The last log lines of every silo, for failure messages.</summary>
    public string LogTails(int lines) => string.Join('\n', Silos.Select(s => $"--- {s.SiloId} ({s.LogPath}) ---\n" + string.Join('\n', s.LogTail(lines))));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var s in Silos)
        {
            s.Dispose();
        }

        Lab?.Dispose();
        _http.Dispose();
        if (_ownsRoot && !KeepFiles)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return ValueTask.CompletedTask;
    }

    private async Task<bool> IsHealthyAsync()
    {
        var view = await TryViewAsync();
        if (view is null || view.Silos.Count != Silos.Count || view.Shards.Count != Options.Shards + 1)
        {
            return false;
        }

        var replicas = Math.Min(3, Silos.Count);
        var live = Silos.Where(s => s.Running && !s.Paused).Select(s => s.SiloId).ToHashSet();
        return view.Shards.All(shard => shard.Replicas.Count >= replicas
            && view.Leaders.Any(l => l.ShardId == shard.ShardId && live.Contains(l.SiloId)));
    }

    private async Task StartSilosAsync(CancellationToken cancellationToken)
    {
        var silos = new List<SiloProcess>();
        // In namespaces every silo has its own address, so fixed ports cannot clash with anything.
        var free = Lab is null ? Ports.Free(Options.Silos * 3) : [];
        // Filled in place: development clustering's --join of each later silo names the first.
        Silos = silos;
        for (var i = 0; i < Options.Silos; i++)
        {
            var ports = Lab is null ? (free[i * 3], free[i * 3 + 1], free[i * 3 + 2]) : NamespacePorts;
            silos.Add(NewSilo($"s{i + 1}", i, ports));
        }

        _log(MembershipNote);
        silos[0].Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await TryViewAsync(silos[0]) is null)
        {
            // A silo that cannot start (bad settings, clustering not available) exits again and again.
            if (DateTime.UtcNow > deadline || Restarts.Count(r => r.SiloId == silos[0].SiloId) >= 3)
            {
                throw new InvalidOperationException("the first silo did not come up:\n" + LogTails(30));
            }

            await Task.Delay(200, cancellationToken);
        }

        foreach (var s in silos.Skip(1))
        {
            s.Start();
        }

        if (!await WaitHealthyAsync(TimeSpan.FromSeconds(90), cancellationToken))
        {
            throw new InvalidOperationException("the cluster did not place every replica and elect every leader:\n" + LogTails(30));
        }

        _log($"cluster up: {string.Join(", ", silos.Select(s => $"{s.SiloId} pid {s.Pid} at {s.Host} (silo {s.SiloEndPoint.Port}, gateway {s.GatewayEndPoint.Port})"))}");
    }

    // Every silo of a namespaced cluster listens on the same ports at its own address.
    private static (int Silo, int Gateway, int Http) NamespacePorts => (21111, 31000, 18080);

    private SiloProcess NewSilo(string siloId, int index, (int Silo, int Gateway, int Http) ports)
    {
        var extra = new List<string>
        {
            "--shards", Options.Shards.ToString(CultureInfo.InvariantCulture),
            "--tick-ms", Options.TickMs.ToString(CultureInfo.InvariantCulture),
            "--workers", Options.Workers.ToString(CultureInfo.InvariantCulture),
            "--cluster-id", ClusterId, "--service-id", ServiceId,
        };
        switch (Options.Clustering)
        {
            case ClusteringMode.Localhost:
                extra.AddRange(["--clustering", "localhost"]);
                if (index > 0)
                {
                    extra.AddRange(["--join", Silos[0].SiloEndPoint.ToString()]);
                }

                break;
            default:
                extra.AddRange(["--clustering", "postgres", "--postgres", Options.PostgresConnectionString!]);
                if (index == 0)
                {
                    extra.AddRange(["--bootstrap", "true"]);
                }

                break;
        }

        if (Options.UnsafeLocalReads)
        {
            extra.AddRange(["--unsafe-local-reads", "true"]);
        }

        var silo = new SiloProcess(siloId, Lab?.Address(index) ?? "127.0.0.1", ports, Path.Combine(Root, siloId), Lab?.Namespace(index), extra,
            new Dictionary<string, string> { ["MultiRaft__RequestTimeoutMs"] = Options.RequestTimeoutMs.ToString(CultureInfo.InvariantCulture) });
        silo.ExitedOnItsOwn += (s, code) => _ = RestartAsync(s, code);
        return silo;
    }

    // The restart policy: back after half a second, backing off to 5 s while it keeps exiting
    // soon after starting. The exit is recorded at once (a heal may restart the silo first).
    private async Task RestartAsync(SiloProcess silo, int exitCode)
    {
        var exit = new SiloRestart(DateTime.UtcNow, silo.SiloId, exitCode, ExitReason(silo));
        TimeSpan delay;
        lock (_restartsLock)
        {
            _restarts.Add(exit);
            delay = TimeSpan.FromMilliseconds(500);
            if (_backoff.TryGetValue(silo.SiloId, out var last) && exit.ExitedAt - last.LastStart < TimeSpan.FromSeconds(10))
            {
                delay = TimeSpan.FromTicks(Math.Min(last.Delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        _log($"EXITED {silo.SiloId} on its own with code {exitCode} ({exit.Reason}); restarting it in {delay.TotalSeconds:F1}s");
        await Task.Delay(delay);
        if (_disposed || !silo.RestartAfterExit())
        {
            return;
        }

        lock (_restartsLock)
        {
            _backoff[silo.SiloId] = (DateTime.UtcNow, delay);
        }

        _log($"RESTARTED {silo.SiloId} as pid {silo.Pid}");
    }

    // The last line of its log that says why it went (Orleans logs a silo declared dead, a fatal error).
    private static string ExitReason(SiloProcess silo)
    {
        var line = silo.LogTail(80).LastOrDefault(l => ReasonLine().IsMatch(l));
        line = line?.Trim() ?? "no reason in its log";
        return line.Length > 240 ? line[..240] + "..." : line;
    }

    [GeneratedRegex(@"declared|\bdead\b|fatal|terminat|unhandled|failfast|cannot start|shutting down|invalid settings", RegexOptions.IgnoreCase)]
    private static partial Regex ReasonLine();

    // The JSON of GET /cluster (Silo/Http/ClusterJson.cs), turned back into the ClusterView it flattens.
    private sealed record ViewJson(string? ClusterId, string? ServedBy, ulong RouterAppliedIndex, List<SiloJson>? Silos, List<ShardJson>? Shards)
    {
        public ClusterView ToView()
        {
            var view = new ClusterView { ClusterId = ClusterId ?? "", ServedBy = ServedBy ?? "", RouterAppliedIndex = RouterAppliedIndex };
            foreach (var s in Silos ?? [])
            {
                view.Silos.Add(new SiloInfo
                {
                    SiloId = s.Id ?? "", SiloAddress = s.SiloAddress ?? "", GatewayAddress = s.GatewayAddress ?? "", HttpAddress = s.HttpAddress ?? "",
                    Status = s.Status switch
                    {
                        "active" => SiloStatus.Active,
                        "dead" => SiloStatus.Dead,
                        "draining" => SiloStatus.Draining,
                        _ => SiloStatus.Unspecified,
                    },
                });
            }

            foreach (var s in Shards ?? [])
            {
                var shard = new ShardDescriptor
                {
                    ShardId = s.Id, HashStart = s.HashStart, HashEnd = s.HashEnd,
                    Epoch = new ShardEpoch { ConfVer = s.ConfVer, RangeVer = s.RangeVer },
                };
                foreach (var r in s.Replicas ?? [])
                {
                    shard.Replicas.Add(new ReplicaDescriptor { ReplicaId = r.Id, SiloId = r.Silo ?? "" });
                }

                view.Shards.Add(shard);
                if (s.LeaderSilo is { Length: > 0 } leader)
                {
                    view.Leaders.Add(new LeaderHint { ShardId = s.Id, ReplicaId = s.LeaderReplica ?? 0, SiloId = leader, Term = s.Term ?? 0 });
                }
            }

            return view;
        }
    }

    private sealed record SiloJson(string? Id, string? SiloAddress, string? GatewayAddress, string? HttpAddress, string? Status);

    private sealed record ShardJson(ulong Id, ulong HashStart, ulong HashEnd, ulong ConfVer, ulong RangeVer, List<ReplicaJson>? Replicas,
        ulong? LeaderReplica, string? LeaderSilo, ulong? Term);

    private sealed record ReplicaJson(ulong Id, string? Silo, string? Role);
}

/// <summary>
/// A silo that exited on its own, which the harness restarts (not a failure: Orleans stops a silo
/// that learns it was declared dead).
/// </summary>
/// <param name="ExitedAt">When the harness saw it exit (UTC).</param>
/// <param name="SiloId">The silo.</param>
/// <param name="ExitCode">Its exit code (134: Orleans failed fast; 0: stopped by a signal; 137: SIGKILL from outside).</param>
/// <param name="Reason">The last line of its log that says why, or that none does.</param>
public sealed record SiloRestart(DateTime ExitedAt, string SiloId, int ExitCode, string Reason);
