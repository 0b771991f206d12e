using System.Diagnostics;

namespace MultiRaft.Nemesis;

/// <summary>
/// A silo as its own operating-system process (the built MultiRaft.Silo.dll next to this
/// assembly), logging to a file, optionally inside a network namespace (started through
/// <c>ip netns exec</c>, which execs in place, so the process id is the silo's own).
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private readonly List<string> _command = [];
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process? _process;
    private StreamWriter? _log;

    /// <summary>Describes a silo; nothing starts until <see cref="Start"/>.</summary>
    /// <param name="siloId">The silo's name.</param>
    /// <param name="host">The address it listens on and advertises.</param>
    /// <param name="ports">Silo, gateway and HTTP ports.</param>
    /// <param name="dataDir">Its WAL directory; the log goes to <c>dataDir + ".log"</c>.</param>
    /// <param name="join">Gateway address of a running silo, or empty for the first one.</param>
    /// <param name="namespaceName">The network namespace to run in, or null for the caller's.</param>
    /// <param name="extraArgs">More silo flags (for example <c>--shards</c>, <c>--unsafe-local-reads</c>).</param>
    /// <param name="environment">More environment variables (settings such as <c>MultiRaft__RequestTimeoutMs</c>).</param>
    public SiloProcess(string siloId, string host, (int Silo, int Gateway, int Http) ports, string dataDir, string join,
        string? namespaceName, IEnumerable<string> extraArgs, IReadOnlyDictionary<string, string>? environment = null)
    {
        _environment = environment ?? new Dictionary<string, string>();
        SiloId = siloId;
        Host = host;
        GatewayAddress = $"{host}:{ports.Gateway}";
        HttpBase = new Uri($"http://{host}:{ports.Http}/");
        DataDir = dataDir;
        NamespaceName = namespaceName;
        if (namespaceName is not null)
        {
            _command.AddRange([Shell.Find("ip") ?? "ip", "netns", "exec", namespaceName]);
        }

        _command.AddRange(["dotnet", Path.Combine(AppContext.BaseDirectory, "MultiRaft.Silo.dll"),
            "--silo-id", siloId, "--host", host, "--listen", host,
            "--silo-port", ports.Silo.ToString(), "--gateway-port", ports.Gateway.ToString(),
            "--http-port", ports.Http.ToString(), "--data-dir", dataDir]);
        _command.AddRange(extraArgs);
        if (join.Length > 0)
        {
            _command.AddRange(["--join", join]);
        }
    }

    /// <summary>The silo's name.</summary>
    public string SiloId { get; }

    /// <summary>The address it listens on.</summary>
    public string Host { get; }

    /// <summary>host:port of its client gateway.</summary>
    public string GatewayAddress { get; }

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

    /// <summary>Starts the process (again, after a kill: same flags, same data directory).</summary>
    public void Start()
    {
        Directory.CreateDirectory(DataDir);
        var psi = new ProcessStartInfo(_command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in _command.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in _environment)
        {
            psi.Environment[name] = value;
        }
        _log?.Dispose();
        _log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        var log = _log;
        _process?.Dispose();
        _process = Process.Start(psi)!;
        Paused = false;
        _process.OutputDataReceived += (_, e) => Write(log, e.Data);
        _process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: no shutdown code runs; only what was fsynced survives.</summary>
    public void Kill9()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: false);
            p.WaitForExit();
        }

        Paused = false;
    }

    /// <summary>SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a VM stall.</summary>
    public void Pause()
    {
        if (Pid is var pid and > 0)
        {
            Shell.Must("kill", "-STOP", pid.ToString());
            Paused = true;
        }
    }

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume()
    {
        if (Pid is var pid and > 0 && Paused)
        {
            Shell.Must("kill", "-CONT", pid.ToString());
        }

        Paused = false;
    }

    /// <summary>The last lines of its log, for failure messages.</summary>
    public IEnumerable<string> LogTail(int lines) => File.Exists(LogPath) ? File.ReadLines(LogPath).TakeLast(lines).ToList() : [];

    /// <summary>Kills the process and closes the log.</summary>
    public void Dispose()
    {
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
