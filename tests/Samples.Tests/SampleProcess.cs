using System.Collections.Concurrent;
using System.Diagnostics;

namespace MultiRaft.Samples.Tests;

/// <summary>
/// A built program run as <c>dotnet program.dll args</c> in its own process, its output kept
/// line by line. Disposing kills it (and anything it started) if it is still running, so a
/// failing test leaves nothing behind.
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _error = new();

    private SampleProcess(Process process) => _process = process;

    /// <summary>Standard output so far, one entry per line.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="dll"/> in <paramref name="workingDirectory"/>.</summary>
    public static SampleProcess Start(string dll, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var process = new Process { StartInfo = psi };
        var sample = new SampleProcess(process);
        process.OutputDataReceived += (_, e) => Keep(sample._output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(sample._error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>Waits until the process ends and its output is read; its exit code.</summary>
    /// <exception cref="TimeoutException">Still running after <paramref name="limit"/>; the message holds its output.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} still running after {limit.TotalSeconds:0}s\n{Describe()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Asks the process to stop (SIGTERM, as Ctrl+C or a supervisor would) and waits, bounded, until it has.</summary>
    public async Task StopAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancellationToken);
        }

        await WaitForExitAsync(limit, cancellationToken);
    }

    /// <summary>The program, its exit state and the tail of both output streams, for failure messages.</summary>
    public string Describe(int lines = 40) =>
        $"{Name} {(_process.HasExited ? $"exited with {_process.ExitCode}" : "is running")}\n"
        + $"--- stdout (last {lines} lines)\n{string.Join('\n', _output.TakeLast(lines))}\n"
        + $"--- stderr (last {lines} lines)\n{string.Join('\n', _error.TakeLast(lines))}";

    /// <summary>Kills the process tree if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(deadline.Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // It ended between the check and the kill, or will not die: nothing more to do here,
            // and throwing would hide the test's own failure.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private string Name => Path.GetFileName(_process.StartInfo.ArgumentList[0]);

    private static void Keep(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }
}
