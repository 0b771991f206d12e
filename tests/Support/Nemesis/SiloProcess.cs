using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace MultiRaft.Nemesis;

/// <summary>
/// A silo as its own operating-system process (the built MultiRaft.Silo.dll next to this
/// assembly), logging to a file, optionally inside a network namespace (started through
/// <c>ip netns exec</c>, which execs in place, so the process id is the silo's own).
/// A process that exits while nobody killed it raises <see cref="ExitedOnItsOwn"/> (an Orleans
/// silo stops itself when it learns the cluster declared it dead); whoever supervises the silo
/// restarts it with <see cref="RestartAfterExit"/>.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private readonly List<string> _command = [];
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly Lock _lock = new();
    private Process? _process;
    private StreamWriter? _log;
    private bool _down = true;
    private bool _disposed;

    /// <summary>Describes a silo; nothing starts until <see cref="Start"/>.</summary>
    /// <param name="siloId">The silo's name (its Orleans silo name too).</param>
    /// <param name="host">The IP address it listens on and advertises (Orleans needs an address, not a name).</param>
    /// <param name="ports">Orleans silo-to-silo, Orleans client gateway and HTTP ports.</param>
    /// <param name="dataDir">Its WAL directory; the log goes to <c>dataDir + ".log"</c>.</param>
    /// <param name="namespaceName">The network namespace to run in, or null for the caller's.</param>
    /// <param name="extraArgs">More silo flags: clustering (<c>--join</c>, <c>--clustering</c>), <c>--shards</c>, <c>--unsafe-local-reads</c>...</param>
    /// <param name="environment">More environment variables (settings such as <c>MultiRaft__RequestTimeoutMs</c>).</param>
    public SiloProcess(string siloId, string host, (int Silo, int Gateway, int Http) ports, string dataDir,
        string? namespaceName, IEnumerable<string> extraArgs, IReadOnlyDictionary<string, string>? environment = null)
    {
        _environment = environment ?? new Dictionary<string, string>();
        SiloId = siloId;
        Host = host;
        var ip = IPAddress.Parse(host);
        SiloEndPoint = new IPEndPoint(ip, ports.Silo);
        GatewayEndPoint = new IPEndPoint(ip, ports.Gateway);
        HttpBase = new Uri($"http://{host}:{ports.Http}/");
        DataDir = dataDir;
        NamespaceName = namespaceName;
        if (namespaceName is not null)
        {
            _command.AddRange([Shell.Find("ip") ?? "ip", "netns", "exec", namespaceName]);
        }

        _command.AddRange(["dotnet", Path.Combine(AppContext.BaseDirectory, "MultiRaft.Silo.dll"),
            "--silo-id", siloId, "--host", host, "--listen", host,
            "--silo-port", ports.Silo.ToString(CultureInfo.InvariantCulture),
            "--gateway-port", ports.Gateway.ToString(CultureInfo.InvariantCulture),
            "--http-port", ports.Http.ToString(CultureInfo.InvariantCulture), "--data-dir", dataDir]);
        _command.AddRange(extraArgs);
    }

    /// <summary>
    /// The process exited although nobody killed it (with its exit code). Raised on a thread-pool
    /// thread; the silo stays down until someone calls <see cref="RestartAfterExit"/>.
    /// </summary>
    public event Action<SiloProcess, int>? ExitedOnItsOwn;

    /// <summary>The silo's name.</summary>
    public string SiloId { get; }

    /// <summary>The address it listens on.</summary>
    public string Host { get; }

    /// <summary>Its Orleans silo-to-silo endpoint (what <c>--join</c> names for development clustering).</summary>
    public IPEndPoint SiloEndPoint { get; }

    /// <summary>Its Orleans client gateway.</summary>
    public IPEndPoint GatewayEndPoint { get; }

    /// <summary>host:port of its Orleans client gateway.</summary>
    public string GatewayAddress => GatewayEndPoint.ToString();

    /// <summary>Base address of its HTTP API.</summary>
    public Uri HttpBase { get; }

    /// <summary>Its WAL directory.</summary>
    public string DataDir { get; }

    /// <summary>The network namespace it runs in, or null.</summary>
    public string? NamespaceName { get; }

    /// <summary>Where its standard output and error go.</summary>
    public string LogPath => DataDir + ".log";

    /// <summary>Whether the process is alive (a stopped process is alive).</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>Whether it was sent SIGSTOP and not yet SIGCONT.</summary>
    public bool Paused { get; private set; }

    /// <summary>The process id, or 0 when not running.</summary>
    public int Pid => _process is { HasExited: false } p ? p.Id : 0;

    /// <summary>How many times it was started (the first start included).</summary>
    public int Starts { get; private set; }

    /// <summary>Starts the process (again, after a kill: same flags, same data directory).</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            StartLocked();
        }
    }

    /// <summary>
    /// Starts the process again after it exited on its own (<see cref="ExitedOnItsOwn"/>), unless
    /// it was started or killed since, or disposed. Returns whether it started it.
    /// </summary>
    public bool RestartAfterExit()
    {
        lock (_lock)
        {
            if (_disposed || _down || _process is not { HasExited: true })
            {
                return false;
            }

            StartLocked();
            return true;
        }
    }

    /// <summary>Whether the cluster removed this silo: it stops itself and is never started again.</summary>
    public bool Removed { get; private set; }

    /// <summary>Records that the cluster removed this silo: its own exit is final.</summary>
    public void MarkRemoved()
    {
        lock (_lock)
        {
            Removed = true;
            _down = true;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs; only what was fsynced survives. It stays down until <see cref="Start"/>.</summary>
    public void Kill9()
    {
        lock (_lock)
        {
            _down = true;
            if (_process is { HasExited: false } p)
            {
                p.Kill(entireProcessTree: false);
                p.WaitForExit();
            }

            Paused = false;
        }
    }

    /// <summary>SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a VM stall.</summary>
    public void Pause()
    {
        lock (_lock)
        {
            if (Pid is var pid and > 0)
            {
                Shell.Must("kill", "-STOP", pid.ToString(CultureInfo.InvariantCulture));
                Paused = true;
            }
        }
    }

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume()
    {
        lock (_lock)
        {
            if (Pid is var pid and > 0 && Paused)
            {
                Shell.Must("kill", "-CONT", pid.ToString(CultureInfo.InvariantCulture));
            }

            Paused = false;
        }
    }

    /// <summary>The last lines of its log, for failure messages.</summary>
    public IReadOnlyList<string> LogTail(int lines)
    {
        try
        {
            return File.Exists(LogPath) ? File.ReadLines(LogPath).TakeLast(lines).ToList() : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Kills the process and closes the log; it is never restarted.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        Kill9();
        _process?.Dispose();
        if (_log is not null)
        {
            lock (_log)
            {
                _log.Dispose();
            }
        }
    }

    private void StartLocked()
    {
        Directory.CreateDirectory(DataDir);
        var psi = new ProcessStartInfo(_command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in _command.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        // "Application is shutting down...": tells a stop by a signal from a crash in the log.
        psi.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        // Timestamps (UTC) on every line, to line the logs up with the run's fault times.
        psi.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        psi.Environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
        // The silo's own start-up lines: bootstrap, join, "restarting with N replicas from storage", ready.
        psi.Environment["Logging__LogLevel__MultiRaft.Silo.Cluster"] = "Information";
        foreach (var (name, value) in _environment)
        {
            psi.Environment[name] = value;
        }

        if (_log is { } old)
        {
            lock (old)
            {
                old.Dispose();
            }
        }

        _log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        var log = _log;
        Write(log, $"==== {DateTime.UtcNow:HH:mm:ss.fff} harness: starting {SiloId} (start {Starts + 1})");
        _process?.Dispose();
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        // Not handled inline: Process raises Exited under its own lock, also from inside
        // WaitForExit, which Kill9 calls holding this silo's lock.
        process.Exited += (_, _) => ThreadPool.QueueUserWorkItem(_ => OnExited(process));
        process.Start();
        _process = process;
        _down = false;
        Paused = false;
        Starts++;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void OnExited(Process process)
    {
        // Exited can come before the last output lines are read; this waits for them, so that
        // whoever looks for the reason in the log finds it.
        try
        {
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }

        int code;
        lock (_lock)
        {
            // A kill, a newer start or disposal: nothing happened on its own.
            if (_disposed || _down || !ReferenceEquals(process, _process))
            {
                return;
            }

            code = process.ExitCode;
        }

        ExitedOnItsOwn?.Invoke(this, code);
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
