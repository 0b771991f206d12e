using MultiRaft.Linearizability;

namespace MultiRaft.Nemesis.Tests;

/// <summary>
/// One short seeded run per nemesis on three silo processes (in network namespaces when the
/// machine allows): the history, final reads included, must be linearizable.
/// </summary>
public sealed class NemesisTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(NemesisKind.Kill, 11)]
    [InlineData(NemesisKind.Pause, 12)]
    [InlineData(NemesisKind.Partition, 13)]
    [InlineData(NemesisKind.Netem, 14)]
    [InlineData(NemesisKind.Transfer, 15)]
    [InlineData(NemesisKind.Join, 16)]
    public async Task A_history_under_faults_is_linearizable(NemesisKind kind, int seed)
    {
        var result = await NemesisRun.RunAsync(new RunOptions
        {
            Seed = seed,
            Load = TimeSpan.FromSeconds(16),
            Nemeses = [kind],
        }, output.WriteLine);

        output.WriteLine(result.Summary());
        if (!result.NetworkFaults && kind is NemesisKind.Partition or NemesisKind.Netem)
        {
            output.WriteLine($"{kind} NOT EXERCISED: no network namespaces here; the run had no faults");
        }
        else
        {
            Assert.NotEmpty(result.Faults);
        }

        if (kind == NemesisKind.Join)
        {
            // Two silos joined (the cap) and the healed cluster counted them: every shard led, every key read.
            Assert.Equal(2, result.Faults.Count(f => f.What.EndsWith("registered, kept", StringComparison.Ordinal)));
            Assert.Empty(result.Notes);
        }

        Assert.True(result.Verdict == Verdict.Ok, $"{result.Verdict}: see {result.ReportPath}\n{result.Summary()}");
        Assert.True(result.Counts.Ok > 100, $"only {result.Counts.Ok} operations answered: the workload did not run");
    }
}
