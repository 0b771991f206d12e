using System.Globalization;
using MultiRaft.Linearizability;

namespace MultiRaft.Nemesis.Tests;

/// <summary>
/// One short seeded run per nemesis on three silo processes (in network namespaces when the
/// machine allows): the history, final reads included, must be linearizable. Kill, pause and
/// partition run on PostgreSQL clustering, where s1 holds nothing special: the run's first fault
/// takes s1 away (under development clustering s1 holds the membership table and is spared).
/// Netem, transfer, join, drain and split run on development clustering, which keeps that mode covered.
/// </summary>
public sealed class NemesisTests(ITestOutputHelper output, PostgresFixture postgres)
{
    [Theory]
    [InlineData(NemesisKind.Kill, 11, ClusteringMode.Postgres)]
    [InlineData(NemesisKind.Pause, 12, ClusteringMode.Postgres)]
    [InlineData(NemesisKind.Partition, 13, ClusteringMode.Postgres)]
    [InlineData(NemesisKind.Netem, 14, ClusteringMode.Localhost)]
    [InlineData(NemesisKind.Transfer, 15, ClusteringMode.Localhost)]
    [InlineData(NemesisKind.Join, 16, ClusteringMode.Localhost)]
    [InlineData(NemesisKind.Drain, 17, ClusteringMode.Localhost)]
    [InlineData(NemesisKind.Split, 18, ClusteringMode.Localhost)]
    public async Task A_history_under_faults_is_linearizable(NemesisKind kind, int seed, ClusteringMode clustering)
    {
        var onPostgres = clustering == ClusteringMode.Postgres;
        var result = await NemesisRun.RunAsync(new RunOptions
        {
            Seed = seed,
            // A join holds 2-4 s, then waits up to 10 s for the new silo to register: on a slow
            // machine the first of seed 16's joins took 8.1 s, and 16 s of load left no room to
            // start the second one the assertion below counts on.
            Load = TimeSpan.FromSeconds(kind == NemesisKind.Join ? 24 : 16),
            Nemeses = [kind],
            Cluster = new ClusterOptions
            {
                Clustering = clustering,
                PostgresConnectionString = onPostgres ? await postgres.ConnectionStringAsync() : null,
            },
            FirstTarget = onPostgres ? "s1" : null,
        }, output.WriteLine);

        output.WriteLine(result.Summary());
        var exercised = result.NetworkFaults || kind is not (NemesisKind.Partition or NemesisKind.Netem);
        if (!exercised)
        {
            output.WriteLine($"{kind} NOT EXERCISED: no network namespaces here; the run had no faults");
        }
        else
        {
            Assert.NotEmpty(result.Faults);
        }

        if (onPostgres && exercised)
        {
            // The first silo is a target like any other: the first fault took it away, and the cluster went on.
            Assert.Contains("ADO.NET clustering on PostgreSQL", result.Membership, StringComparison.Ordinal);
            var first = result.Faults[0].What;
            Assert.True(first.StartsWith($"{(kind == NemesisKind.Kill ? "kill -9" : kind == NemesisKind.Pause ? "SIGSTOP" : "isolate")} s1,",
                StringComparison.Ordinal), $"the first fault did not take s1 away: {first}");
            Assert.Empty(result.Notes);
        }

        if (onPostgres)
        {
            // The run dropped its schema (tests run one at a time, so no other run of this process has one).
            Assert.Empty(await postgres.SchemasAsync(ClusterHarness.SchemaPrefix + string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId:x}_")));
        }

        if (kind == NemesisKind.Drain)
        {
            // At least one silo joined, took replicas, and was drained and removed while the load ran.
            Assert.Contains(result.Faults, f => f.What.Contains("drained, removed: 204", StringComparison.Ordinal)
                                                && !f.What.Contains("held 0 replicas", StringComparison.Ordinal));
            Assert.Empty(result.Notes);
        }

        if (kind == NemesisKind.Split)
        {
            // Splits happened, the fresh new shard of one was split again, and the map kept every new shard.
            Assert.True(result.SplitsAccepted >= 2 && result.FreshChildSplits >= 1,
                $"{result.SplitsAccepted} splits accepted, {result.FreshChildSplits} of a fresh new shard:\n{result.Summary()}");
            Assert.True(result.DataShards.Before > 0 && result.DataShards.After - result.DataShards.Before >= result.SplitsAccepted,
                $"data shards {result.DataShards.Before} -> {result.DataShards.After} after {result.SplitsAccepted} accepted splits");
            Assert.Empty(result.Notes);
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
