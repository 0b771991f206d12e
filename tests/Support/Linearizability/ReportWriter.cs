namespace MultiRaft.Linearizability;

/// <summary>Writes the reports of a failed check to a folder: one text file, one HTML file per failing key.</summary>
public static class ReportWriter
{
    /// <summary>
    /// Writes <c>linearizability.txt</c> and <c>key-&lt;n&gt;.html</c> per failing window into
    /// <paramref name="directory"/>; returns the paths written, text report first.
    /// </summary>
    public static IReadOnlyList<string> Write(
        string directory, CheckResult result, IReadOnlyList<FailingWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        Directory.CreateDirectory(directory);
        var paths = new List<string> { Path.Combine(directory, "linearizability.txt") };
        File.WriteAllText(paths[0], TextReport.Render(result, windows));
        for (var i = 0; i < windows.Count; i++)
        {
            // Keys may hold any bytes; file names use the window's position instead.
            var path = Path.Combine(directory, $"key-{i + 1}.html");
            File.WriteAllText(path, HtmlReport.Render(windows[i]));
            paths.Add(path);
        }

        return paths;
    }
}
