using System.Net.Sockets;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Tests.Support;

namespace MultiRaft.Nemesis;

/// <summary>
/// A cluster of silo processes, each in its own network namespace when the machine allows
/// (else on loopback, process faults only). Disposing kills every process and removes the
/// namespaces, also after a failure.
/// </summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    private readonly Action<string> _log;
    private readonly TcpGatewayConnector _probe = new(connectTimeout: TimeSpan.FromSeconds(1));
    private readonly bool _ownsRoot;
    private volatile bool _disposed;

    private ClusterHarness(ClusterOptions options, NetworkLab? lab, string root, bool ownsRoot, Action<string> log)
    {
        Options = options;
        Lab = lab;
        Root = root;
        _ownsRoot = ownsRoot;
        _log = log;
    }

    /// <summary>How the cluster was built.</summary>
    public ClusterOptions Options { get; }

    /// <summary>The namespaces, or null on plain loopback.</summary>
    public NetworkLab? Lab { get; }

    /// <summary>Data directories and logs.</summary>
    public string Root { get; }

    /// <summary>The silos, in start order.</summary>
    public IReadOnlyList<SiloProcess> Silos { get; private set; } = [];

    /// <summary>Gateway addresses of every silo.</summary>
    public IReadOnlyList<string> Gateways => Silos.Select(s => s.GatewayAddress).ToList();

    /// <summary>
    /// Starts the cluster and waits until every shard has all its replicas and a leader.
    /// <paramref name="log"/> receives progress lines, including whether faults hit a real network.
    /// </summary>
    public static async Task<ClusterHarness> StartAsync(ClusterOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
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

    /// <summary>The cluster view from the first silo that answers within a second, or null.</summary>
    public async Task<ClusterView?> TryViewAsync()
    {
        foreach (var s in Silos.Where(s => s.Running && !s.Paused))
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                var r = await _probe.SendAsync(s.GatewayAddress, new ClientRequest { Cluster = new ClusterRequest(), TimeoutMs = 1000 }, cts.Token);
                if (r.Status == ResponseStatus.Ok)
                {
                    return r.Cluster;
                }
            }
            catch (Exception e) when (e is MultiRaftException or OperationCanceledException or IOException or SocketException)
            {
            }
        }

        return null;
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
    /// Starts one more silo named <paramref name="siloId"/> that joins the running cluster through
    /// the gateway of the silo at <paramref name="via"/>: in a new namespace at the next address
    /// when the cluster has namespaces, else on loopback with free ports. It becomes the last of
    /// <see cref="Silos"/> (so the health wait expects it) and is killed on dispose like the others.
    /// </summary>
    public SiloProcess AddJoiningSilo(string siloId, int via)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var gateway = Silos[via].GatewayAddress;
        var index = Lab?.AddSilo() ?? Silos.Count;
        if (index != Silos.Count)
        {
            throw new InvalidOperationException($"namespace {index} does not match silo {Silos.Count}");
        }

        var free = Lab is null ? Ports.Free(3) : [];
        var silo = NewSilo(siloId, index, Lab is null ? (free[0], free[1], free[2]) : NamespacePorts, gateway);
        // A new list, not a mutation: clients and nemeses read Silos concurrently.
        Silos = [.. Silos, silo];
        silo.Start();
        return silo;
    }

    /// <summary>The last log lines of every silo, for failure messages.</summary>
    public string LogTails(int lines) => string.Join('\n', Silos.Select(s => $"--- {s.SiloId} ({s.LogPath}) ---\n" + string.Join('\n', s.LogTail(lines))));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var s in Silos)
        {
            s.Dispose();
        }

        Lab?.Dispose();
        await _probe.DisposeAsync();
        if (_ownsRoot)
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
        for (var i = 0; i < Options.Silos; i++)
        {
            var ports = Lab is null ? (free[i * 3], free[i * 3 + 1], free[i * 3 + 2]) : NamespacePorts;
            var join = i == 0 ? "" : silos[0].GatewayAddress;
            silos.Add(NewSilo($"s{i + 1}", i, ports, join));
        }

        Silos = silos;
        silos[0].Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await TryViewAsync() is null)
        {
            if (DateTime.UtcNow > deadline || !silos[0].Running)
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

        _log($"cluster up: {string.Join(", ", silos.Select(s => $"{s.SiloId} pid {s.Pid} at {s.GatewayAddress}"))}");
    }

    // Every silo of a namespaced cluster listens on the same ports at its own address.
    private static (int Silo, int Gateway, int Http) NamespacePorts => (21111, 31000, 18080);

    private SiloProcess NewSilo(string siloId, int index, (int Silo, int Gateway, int Http) ports, string join)
    {
        var extra = new List<string>
        {
            "--shards", Options.Shards.ToString(), "--tick-ms", Options.TickMs.ToString(), "--workers", Options.Workers.ToString(),
        };
        if (Options.UnsafeLocalReads)
        {
            extra.AddRange(["--unsafe-local-reads", "true"]);
        }

        return new SiloProcess(siloId, Lab?.Address(index) ?? "127.0.0.1", ports, Path.Combine(Root, siloId), join, Lab?.Namespace(index), extra,
            new Dictionary<string, string> { ["MultiRaft__RequestTimeoutMs"] = Options.RequestTimeoutMs.ToString() });
    }
}
