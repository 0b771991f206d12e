using System.Diagnostics;

namespace MultiRaft.Nemesis;

/// <summary>Runs the system tools the harness drives (<c>ip</c>, <c>tc</c>, <c>kill</c>) and waits for them.</summary>
public static class Shell
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; returns the exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using var p = Process.Start(psi)!;
            // Read both streams concurrently so that neither pipe can fill and block the tool.
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    /// <summary>Runs a command that must succeed; throws with its output otherwise.</summary>
    public static string Must(string file, params string[] args)
    {
        var (code, output) = Run(file, args);
        return code == 0
            ? output
            : throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` exited with {code}: {output.Trim()}");
    }

    /// <summary>The path of a system tool in /usr/sbin, /sbin or /usr/bin, or null.</summary>
    public static string? Find(string tool) =>
        new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}
