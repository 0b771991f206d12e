using System.Diagnostics;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>
/// Runs PostgreSQL's command-line tools for the throwaway server. As root they run as the
/// <c>postgres</c> user (initdb and pg_ctl refuse to run as root).
/// </summary>
internal static class PostgresProcess
{
    public static bool AsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Runs <paramref name="file"/> to completion; returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (AsRoot)
        {
            psi.FileName = "runuser";
            foreach (var a in (string[])["-u", "postgres", "--", file])
            {
                psi.ArgumentList.Add(a);
            }
        }
        else
        {
            psi.FileName = file;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>Runs a tool and throws with its output when it fails.</summary>
    public static async Task RunCheckedAsync(string file, string workingDirectory, params string[] args)
    {
        var (code, output) = await RunAsync(file, workingDirectory, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited with {code}:\n{output}");
        }
    }
}
