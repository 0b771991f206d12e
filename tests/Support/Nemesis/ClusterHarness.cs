using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Tests.Support;
using Npgsql;
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
    private TcpRelay? _relay;
    private string? _siloPostgres;
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
        PostgresSchema = options.Clustering == ClusteringMode.Postgres
            ? string.Create(CultureInfo.InvariantCulture, $"{SchemaPrefix}{Environment.ProcessId:x}_{Random.Shared.Next():x8}")
            : null;
    }

    /// <summary>
    /// The start of the name of every PostgreSQL schema this machine's runs make
    /// (<c>nemesis_&lt;machine&gt;_</c>, then the creating process id in hex and a random part):
    /// a run removes only leftovers of this machine's runs whose process is gone.
    /// </summary>
    public static string SchemaPrefix => $"nemesis_{MachineTag}_";

    private static string MachineTag
    {
        get
        {
            // FNV-1a: string.GetHashCode differs between processes.
            var hash = 2166136261u;
            foreach (var c in Environment.MachineName)
            {
                hash = (hash ^ c) * 16777619u;
            }

            return (hash & 0xffffff).ToString("x6", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The PostgreSQL schema of this run's Orleans membership tables (postgres clustering; each
    /// silo migrates it at start), dropped on dispose; null with development clustering.
    /// </summary>
    public string? PostgresSchema { get; }

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
        : $"membership: Orleans ADO.NET clustering on PostgreSQL (schema {PostgresSchema}, cluster id {ClusterId}"
            + (_relay is { } r ? $", reached from every namespace through a relay at {r.EndPoint} on the bridge, which no partition cuts" : "")
            + "); kill, pause and partition may target any silo, s1 included";

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
            if (options.Clustering == ClusteringMode.Postgres)
            {
                await harness.PreparePostgresAsync(cancellationToken);
            }

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

    /// <summary>
    /// This run's rows of the Orleans membership table (postgres clustering), oldest generation
    /// first; empty with development clustering.
    /// </summary>
    public async Task<IReadOnlyList<MembershipRow>> MembershipAsync(CancellationToken cancellationToken = default)
    {
        if (PostgresSchema is null)
        {
            return [];
        }

        await using var connection = await OpenAdminAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand($"""
            SELECT silo_name, address, port, generation, status, suspect_times, i_am_alive_time
            FROM {PostgresSchema}.orleans_membership WHERE cluster_id = $1 ORDER BY generation, silo_name
            """, connection);
        cmd.Parameters.AddWithValue(ClusterId);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var rows = new List<MembershipRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new MembershipRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetDateTime(6)));
        }

        return rows;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var s in Silos)
        {
            s.Dispose();
        }

        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        if (PostgresSchema is not null)
        {
            await DropSchemaAsync();
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
    }

    // The run's schema and the relay that lets namespaced silos reach the server; leftovers of
    // this machine's crashed runs (whose process is gone) are dropped first.
    private async Task PreparePostgresAsync(CancellationToken cancellationToken)
    {
        var server = new NpgsqlConnectionStringBuilder(Options.PostgresConnectionString);
        foreach (var name in await RemoveLeftoverSchemasAsync(Options.PostgresConnectionString!, cancellationToken))
        {
            _log($"dropped schema {name}, left over by a run whose process is gone");
        }

        if (Lab is null)
        {
            _siloPostgres = Options.PostgresConnectionString;
            return;
        }

        // Npgsql reads a Host list; the relay serves the first host.
        var host = (server.Host ?? "localhost").Split(',')[0].Trim();
        _relay = TcpRelay.Start(IPAddress.Parse(Lab.BridgeAddress), host, server.Port);
        _siloPostgres = new NpgsqlConnectionStringBuilder(Options.PostgresConnectionString)
        {
            Host = Lab.BridgeAddress,
            Port = _relay.EndPoint.Port,
        }.ConnectionString;
    }

    /// <summary>
    /// Drops the schemas of this machine's runs (<see cref="SchemaPrefix"/>) whose creating
    /// process is gone (a crashed or killed run never dropped its own); returns their names.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemoveLeftoverSchemasAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAdminAsync(connectionString, cancellationToken);
        await using var list = new NpgsqlCommand("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", connection);
        list.Parameters.AddWithValue(SchemaPrefix);
        var leftovers = new List<string>();
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                if (name[SchemaPrefix.Length..].Split('_')[0] is var pid
                    && int.TryParse(pid, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var id) && !Directory.Exists($"/proc/{id}"))
                {
                    leftovers.Add(name);
                }
            }
        }

        foreach (var name in leftovers)
        {
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {name} CASCADE", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        return leftovers;
    }

    private Task<NpgsqlConnection> OpenAdminAsync(CancellationToken cancellationToken) =>
        OpenAdminAsync(Options.PostgresConnectionString!, cancellationToken);

    private static async Task<NpgsqlConnection> OpenAdminAsync(string connectionString, CancellationToken cancellationToken)
    {
        // Unpooled: nothing of the harness keeps the server busy after a run.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // After a kept run the membership table goes next to the logs as evidence (who declared whom dead).
    private async Task DropSchemaAsync()
    {
        try
        {
            if (KeepFiles && Directory.Exists(Root))
            {
                var rows = await MembershipAsync();
                await File.WriteAllLinesAsync(Path.Combine(Root, "membership.txt"),
                    [$"Orleans membership table, schema {PostgresSchema}, cluster id {ClusterId}", .. rows.Select(r => r.ToString())]);
            }
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
        {
            _log($"could not save the membership table: {e.Message}");
        }

        try
        {
            await using var connection = await OpenAdminAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {PostgresSchema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            _log($"could not drop schema {PostgresSchema} (the next run on this machine drops it): {e.Message}");
        }
    }

    private async Task<bool> IsHealthyAsync()
    {
        var view = await TryViewAsync();
        // Splits only add shards (there are no merges): every one the map lists must be led.
        if (view is null || view.Silos.Count != Silos.Count || view.Shards.Count < Options.Shards + 1)
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
                extra.AddRange(["--clustering", "postgres", "--postgres", _siloPostgres!, "--postgres-schema", PostgresSchema!]);
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
        if (silo.Removed && exitCode == 0)
        {
            // A removed silo stopping itself is the end of its part, not a failure to restart.
            _log($"{silo.SiloId} stopped itself after its removal (exit 0)");
            return;
        }

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

    // The line of its log (since its last start) that says why it went: Orleans' "I have been told
    // I am dead" or a fatal error first (a fail-fast's stack traces follow it by hundreds of lines),
    // else the last line that mentions death, termination or a stop.
    private static string ExitReason(SiloProcess silo)
    {
        var lines = silo.LogTail(5000).ToList();
        var start = lines.FindLastIndex(l => l.StartsWith("==== ", StringComparison.Ordinal) && l.Contains("harness: starting", StringComparison.Ordinal));
        var since = lines.Skip(Math.Max(0, start)).ToList();
        var line = since.FirstOrDefault(l => StrongReasonLine().IsMatch(l)) ?? since.LastOrDefault(l => ReasonLine().IsMatch(l));
        line = line?.Trim() ?? "no reason in its log";
        return line.Length > 240 ? line[..240] + "..." : line;
    }

    [GeneratedRegex(@"told I am dead|declared (me |this silo )?dead|cannot start|invalid settings|Fatal error|Unhandled exception", RegexOptions.IgnoreCase)]
    private static partial Regex StrongReasonLine();

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
/// <param name="Reason">The line of its log that says why (Orleans' "I have been told I am dead...", a fatal error), or that none does.</param>
public sealed record SiloRestart(DateTime ExitedAt, string SiloId, int ExitCode, string Reason);

/// <summary>One row of the Orleans membership table (postgres clustering).</summary>
/// <param name="SiloName">The Orleans silo name (the harness's silo id).</param>
/// <param name="Address">Its silo endpoint's address.</param>
/// <param name="Port">Its silo endpoint's port.</param>
/// <param name="Generation">The generation of this start (a restarted silo gets a new row).</param>
/// <param name="Status">Orleans' SiloStatus as a number (3 active, 6 dead...).</param>
/// <param name="SuspectTimes">The votes against it (silo and time), or null.</param>
/// <param name="IAmAliveTime">The last time it wrote that it is alive.</param>
public sealed record MembershipRow(string SiloName, string Address, int Port, int Generation, int Status, string? SuspectTimes, DateTime IAmAliveTime)
{
    /// <summary>Orleans' SiloStatus.Active.</summary>
    public const int Active = 3;

    /// <summary>Orleans' SiloStatus.Dead.</summary>
    public const int Dead = 6;

    /// <summary>The status as Orleans names it.</summary>
    public string StatusName => Status switch
    {
        0 => "None",
        1 => "Created",
        2 => "Joining",
        3 => "Active",
        4 => "ShuttingDown",
        5 => "Stopping",
        6 => "Dead",
        _ => Status.ToString(CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{SiloName} {Address}:{Port} generation {Generation} {StatusName}, i-am-alive {IAmAliveTime:HH:mm:ss.fff}, suspected by: {SuspectTimes ?? "nobody"}");
}
