using System.Globalization;

namespace MultiRaft.Nemesis;

/// <summary>
/// One network namespace per silo (<c>mr-&lt;run&gt;-&lt;n&gt;</c>), each joined by a veth pair to a
/// bridge in the root namespace that holds <c>.254</c>, so the harness reaches every silo while
/// faults cut the links between silos. Partitions are blackhole routes inside the namespaces;
/// loss and delay are <c>tc netem</c> on the namespace side of a veth. Needs root and
/// <c>ip netns</c>; <see cref="TryCreate"/> says when the machine does not allow it.
/// </summary>
public sealed class NetworkLab : IDisposable
{
    private const string Prefix = "mr-";
    private static int s_runs;
    private readonly string _ip;
    private readonly string _tc;
    private readonly string _run;
    private readonly string _subnet;
    private readonly HashSet<(int From, int To)> _cut = [];
    private readonly HashSet<int> _netem = [];
    private bool _disposed;

    private NetworkLab(string ip, string tc, int count)
    {
        _ip = ip;
        _tc = tc;
        var k = Interlocked.Increment(ref s_runs);
        // The run id starts with the creating process id, so a later run can tell leftovers of a
        // crashed run (whose process is gone) from a concurrent live one.
        _run = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId:x}g{k}");
        _subnet = string.Create(CultureInfo.InvariantCulture, $"10.{200 + (k % 50)}.{Environment.ProcessId % 250}");
        Count = count;
    }

    /// <summary>How many silo namespaces the lab holds.</summary>
    public int Count { get; private set; }

    /// <summary>The run id in every name this lab creates.</summary>
    public string RunId => _run;

    /// <summary>The bridge's address, in the root namespace.</summary>
    public string BridgeAddress => $"{_subnet}.254";

    /// <summary>
    /// Builds the lab, or returns null with the reason when this machine cannot (not root, no
    /// <c>ip</c> or <c>tc</c>, namespaces refused). Removes leftovers of crashed runs first.
    /// </summary>
    public static NetworkLab? TryCreate(int count, out string reason)
    {
        var ip = Shell.Find("ip");
        var tc = Shell.Find("tc");
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || ip is null || tc is null)
        {
            reason = $"network namespaces need Linux, root, ip and tc (user {Environment.UserName}, ip {ip ?? "missing"}, tc {tc ?? "missing"})";
            return null;
        }

        RemoveLeftovers(ip);
        var lab = new NetworkLab(ip, tc, count);
        try
        {
            lab.Build();
            reason = "";
            return lab;
        }
        catch (InvalidOperationException e)
        {
            lab.Dispose();
            reason = "could not build network namespaces: " + e.Message;
            return null;
        }
    }

    /// <summary>The namespace of silo <paramref name="n"/> (0-based).</summary>
    public string Namespace(int n) => $"{Prefix}{_run}-{n + 1}";

    /// <summary>The address of silo <paramref name="n"/> (0-based).</summary>
    public string Address(int n) => $"{_subnet}.{n + 1}";

    /// <summary>
    /// Adds the namespace of one more silo (a silo joining a running cluster) at the next
    /// address on the bridge; returns its index. Dispose removes it with the others.
    /// </summary>
    public int AddSilo()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var n = Count;
        // Addresses .1 to .253 are silos; .254 is the bridge.
        if (n >= 253)
        {
            throw new InvalidOperationException("no address left on the bridge's /24");
        }

        BuildSilo(n);
        Count = n + 1;
        return n;
    }

    /// <summary>Cuts the links between every silo of <paramref name="a"/> and every silo of <paramref name="b"/>, both ways.</summary>
    public void Cut(IEnumerable<int> a, IEnumerable<int> b)
    {
        var right = b.ToList();
        foreach (var x in a)
        {
            foreach (var y in right.Where(y => y != x))
            {
                Blackhole(x, y);
                Blackhole(y, x);
            }
        }
    }

    /// <summary>
    /// Adds loss and delay to everything silo <paramref name="n"/> sends and receives: tc netem
    /// when the kernel has it, else a tbf bottleneck (a slow link whose queue delays packets and
    /// drops those that would wait too long). Returns which one was used.
    /// </summary>
    public string Netem(int n, int lossPercent, int delayMs)
    {
        if (!_netem.Add(n))
        {
            return "already degraded";
        }

        string[] netem = ["netem", "loss", $"{lossPercent}%", "delay", $"{delayMs}ms"];
        if (Shell.Run(_ip, ["netns", "exec", Namespace(n), _tc, "qdisc", "add", "dev", NsLink(n), "root", .. netem]).ExitCode == 0)
        {
            Shell.Must(_tc, ["qdisc", "add", "dev", HostLink(n), "root", .. netem]);
            return $"netem loss {lossPercent}% delay {delayMs}ms";
        }

        // No sch_netem in this kernel: a link of a few hundred kbit/s whose queue holds at most
        // delayMs of packets delays everything and drops the excess.
        var rate = $"{Math.Max(64, 1024 * (100 - lossPercent) / 100)}kbit";
        string[] tbf = ["tbf", "rate", rate, "burst", "4kb", "latency", $"{delayMs}ms"];
        Shell.Must(_ip, ["netns", "exec", Namespace(n), _tc, "qdisc", "add", "dev", NsLink(n), "root", .. tbf]);
        Shell.Must(_tc, ["qdisc", "add", "dev", HostLink(n), "root", .. tbf]);
        return $"tbf rate {rate} latency {delayMs}ms (no netem in this kernel)";
    }

    /// <summary>Removes every partition and every netem rule.</summary>
    public void HealAll()
    {
        foreach (var (from, to) in _cut)
        {
            Shell.Run(_ip, "netns", "exec", Namespace(from), _ip, "route", "del", "blackhole", Address(to) + "/32");
        }

        _cut.Clear();
        foreach (var n in _netem)
        {
            Shell.Run(_ip, "netns", "exec", Namespace(n), _tc, "qdisc", "del", "dev", NsLink(n), "root");
            Shell.Run(_tc, "qdisc", "del", "dev", HostLink(n), "root");
        }

        _netem.Clear();
    }

    /// <summary>Deletes the namespaces (which removes their veths) and the bridge.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        RemoveRun(_ip, _run);
    }

    private void Blackhole(int from, int to)
    {
        if (_cut.Add((from, to)))
        {
            Shell.Must(_ip, "netns", "exec", Namespace(from), _ip, "route", "add", "blackhole", Address(to) + "/32");
        }
    }

    private string Bridge => $"mr{_run}b";

    private string HostLink(int n) => $"mr{_run}h{n + 1}";

    private string NsLink(int n) => $"mr{_run}n{n + 1}";

    private void Build()
    {
        Shell.Must(_ip, "link", "add", Bridge, "type", "bridge");
        Shell.Must(_ip, "addr", "add", BridgeAddress + "/24", "dev", Bridge);
        Shell.Must(_ip, "link", "set", Bridge, "up");
        for (var n = 0; n < Count; n++)
        {
            BuildSilo(n);
        }
    }

    private void BuildSilo(int n)
    {
        var ns = Namespace(n);
        Shell.Must(_ip, "netns", "add", ns);
        Shell.Must(_ip, "link", "add", HostLink(n), "type", "veth", "peer", "name", NsLink(n), "netns", ns);
        Shell.Must(_ip, "link", "set", HostLink(n), "master", Bridge, "up");
        Shell.Must(_ip, "netns", "exec", ns, _ip, "addr", "add", Address(n) + "/24", "dev", NsLink(n));
        Shell.Must(_ip, "netns", "exec", ns, _ip, "link", "set", NsLink(n), "up");
        Shell.Must(_ip, "netns", "exec", ns, _ip, "link", "set", "lo", "up");
    }

    // Namespaces and bridges of runs whose creating process no longer exists.
    private static void RemoveLeftovers(string ip)
    {
        var runs = Shell.Run(ip, "netns", "list").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0])
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..n.LastIndexOf('-')])
            .Concat(Shell.Run(ip, "-o", "link", "show", "type", "bridge").Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(':', StringSplitOptions.TrimEntries) is { Length: > 1 } f ? f[1] : "")
                .Where(b => b.StartsWith("mr", StringComparison.Ordinal) && b.EndsWith('b') && b.Contains('g', StringComparison.Ordinal))
                .Select(b => b[2..^1]))
            .Distinct()
            .Where(r => r.Split('g')[0] is var pid && int.TryParse(pid, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var id)
                && !Directory.Exists($"/proc/{id}"))
            .ToList();
        foreach (var run in runs)
        {
            RemoveRun(ip, run);
        }
    }

    private static void RemoveRun(string ip, string run)
    {
        var namespaces = Shell.Run(ip, "netns", "list").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0])
            .Where(n => n.StartsWith($"{Prefix}{run}-", StringComparison.Ordinal));
        foreach (var ns in namespaces)
        {
            // A silo left running in a namespace of a crashed run would keep it alive.
            foreach (var pid in Shell.Run(ip, "netns", "pids", ns).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Shell.Run("kill", "-KILL", pid);
            }

            Shell.Run(ip, "netns", "del", ns);
        }

        Shell.Run(ip, "link", "del", $"mr{run}b");
    }
}
