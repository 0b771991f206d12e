using MultiRaft.Linearizability;

namespace MultiRaft.Nemesis.Tests;

/// <summary>
/// The harness must catch a real bug: with <c>--unsafe-local-reads true</c> every replica
/// answers "linearizable" reads from its own state, so reads sent straight to the replica grain
/// on every silo (each through an Orleans client whose only gateway is that silo), while the
/// leader is partitioned away or paused, return stale values that the checker rejects. Under
/// development clustering the isolated or paused leader is never s1 (the membership primary).
/// </summary>
public sealed class PlantedBugTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Reads_without_ReadIndex_are_caught_as_not_linearizable()
    {
        var reports = Directory.CreateTempSubdirectory("multiraft-planted-bug-").FullName;
        var result = await NemesisRun.RunAsync(new RunOptions
        {
            Seed = 5,
            ReportDirectory = reports,
            Load = TimeSpan.FromSeconds(30),
            Cluster = new ClusterOptions { UnsafeLocalReads = true },
            Workload = new WorkloadOptions { RawReadsToEverySilo = true, HttpWorkers = 0 },
            // Partitions isolate the old leader with its stale state; without namespaces a pause does the same.
            Nemeses = [NemesisKind.Partition, NemesisKind.Pause],
            TargetLeaders = true,
            CheckEvery = TimeSpan.FromSeconds(3),
        }, output.WriteLine);

        output.WriteLine(result.Summary());
        Assert.True(result.Verdict == Verdict.Illegal, $"the planted bug went unnoticed: {result.Verdict}\n{result.Summary()}");
        Assert.NotNull(result.ReportPath);
        Assert.True(File.Exists(result.ReportPath));
        Assert.Contains("cannot be linearized", File.ReadAllText(result.ReportPath), StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(reports, "key-*.html"));
        Directory.Delete(reports, recursive: true);
        // The harness keeps the logs of a run whose check failed; this failure was the point.
        if (result.LogDirectory is { } logs)
        {
            Directory.Delete(logs, recursive: true);
        }
    }
}
