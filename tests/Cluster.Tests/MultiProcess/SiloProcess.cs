using System.Diagnostics;
using System.Net;

namespace MultiRaft.Cluster.Tests.MultiProcess;

/// <summary>A silo as its own operating-system process (the built MultiRaft.Silo.dll), logging to a file.</summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly string[] _args;
    private Process? _process;
    private StreamWriter? _log;

    // join: empty for the first silo; else the first silo's silo-to-silo endpoint (127.0.0.1:port), which holds the membership table.
    // extra: more flags, e.g. a shorter --down-time-ms.
    public SiloProcess(string siloId, int siloPort, int gatewayPort, int httpPort, string dataDir, string join, int shards, params string[] extra)
    {
        SiloId = siloId;
        SiloEndPoint = new IPEndPoint(IPAddress.Loopback, siloPort);
        Gateway = new IPEndPoint(IPAddress.Loopback, gatewayPort);
        HttpBase = new Uri($"http://127.0.0.1:{httpPort}/");
        DataDir = dataDir;
        var args = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "MultiRaft.Silo.dll"),
            "--silo-id", siloId, "--silo-port", siloPort.ToString(), "--gateway-port", gatewayPort.ToString(),
            "--http-port", httpPort.ToString(), "--data-dir", dataDir, "--shards", shards.ToString(), "--tick-ms", "50",
        };
        if (join.Length > 0)
        {
            args.AddRange(["--join", join]);
        }

        args.AddRange(extra);

        _args = [.. args];
    }

    public string SiloId { get; }

    /// <summary>The Orleans silo-to-silo endpoint (what <c>--join</c> names).</summary>
    public IPEndPoint SiloEndPoint { get; }

    /// <summary>The Orleans client gateway.</summary>
    public IPEndPoint Gateway { get; }

    public Uri HttpBase { get; }

    public string DataDir { get; }

    public string LogPath => DataDir + ".log";

    public bool Running => _process is { HasExited: false };

    /// <summary>The silo and its process's state (never started, running, or its exit code), for a failing test's message.</summary>
    public string Describe() => _process switch
    {
        null => $"{SiloId} never started",
        { HasExited: false } p => $"{SiloId} running (pid {p.Id})",
        var p => $"{SiloId} exited with {p.ExitCode}",
    };

    /// <summary>Every silo's <see cref="Describe()"/>, for a failing test's message.</summary>
    public static string Describe(IEnumerable<SiloProcess> silos) => string.Join(", ", silos.Select(s => s.Describe()));

    public void Start()
    {
        Directory.CreateDirectory(DataDir);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in _args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        // Timestamps, so that a failing test's log lines can be set against each other and the test's own.
        psi.Environment["Logging__Console__FormatterName"] = "simple";
        psi.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        psi.Environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
        _log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        var log = _log;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Write(log, e.Data);
        _process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
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

    /// <summary>Whether the silo answers <c>GET /cluster</c> with 200 (false for no answer).</summary>
    public async Task<bool> ServesClusterAsync(HttpClient http)
    {
        try
        {
            using var r = await http.GetAsync(new Uri(HttpBase, "cluster"));
            return r.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Whether the process has exited with <paramref name="code"/> within <paramref name="timeout"/>.</summary>
    public bool ExitsWith(int code, TimeSpan timeout) =>
        _process is { } p && p.WaitForExit(timeout) && p.ExitCode == code;

    /// <summary>SIGKILL: no shutdown code runs; only what was fsynced survives.</summary>
    public void Kill9()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: false);
            p.WaitForExit();
        }
    }

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

    /// <summary>
    /// Each silo's process state, first errors (often the cause) and the tail of its log (the
    /// state now), for a test that failed. Stack frames are left out: the same refusal's trace
    /// repeated would otherwise fill the tail.
    /// </summary>
    public static void WriteLogs(IEnumerable<SiloProcess> silos, ITestOutputHelper output)
    {
        foreach (var s in silos.Where(s => File.Exists(s.LogPath)))
        {
            var lines = File.ReadLines(s.LogPath).Where(l => !IsStackFrame(l)).ToList();
            output.WriteLine($"--- {s.Describe()}: first errors ---");
            foreach (var at in Enumerable.Range(0, lines.Count).Where(i => IsError(lines[i])).Take(5))
            {
                lines.Skip(at).Take(3).ToList().ForEach(output.WriteLine);
            }

            output.WriteLine($"--- {s.SiloId} log tail ---");
            lines.TakeLast(30).ToList().ForEach(output.WriteLine);
        }
    }

    // A console log line is "HH:mm:ss.fff level: category[id]" (the timestamp set in Start).
    private static bool IsError(string line)
    {
        var text = line.Length > 13 && line[12] == ' ' ? line[13..] : line;
        return text.StartsWith("fail:", StringComparison.Ordinal) || text.StartsWith("crit:", StringComparison.Ordinal);
    }

    private static bool IsStackFrame(string line)
    {
        var t = line.TrimStart();
        return t.StartsWith("at ", StringComparison.Ordinal) || t.StartsWith("--- End of", StringComparison.Ordinal);
    }

    /// <summary>Kills every silo still running and deletes the test's directory.</summary>
    public static void DisposeAll(IEnumerable<SiloProcess> silos, string root)
    {
        foreach (var s in silos)
        {
            s.Dispose();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed: the temporary directory goes with the machine's clean-up.
        }
    }
}
