using System.Diagnostics;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Linearizability;

namespace MultiRaft.Nemesis;

/// <summary>
/// A whole run: start the cluster, run the clients while faults come and go on a seeded
/// schedule, heal everything, wait for the cluster, read every key, check the history, and
/// write the report of a failure.
/// </summary>
public static class NemesisRun
{
    /// <summary>Runs <paramref name="options"/>; <paramref name="log"/> receives progress lines. Every process and namespace is gone when it returns.</summary>
    public static async Task<RunResult> RunAsync(RunOptions options, Action<string> log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        await using var cluster = await ClusterHarness.StartAsync(options.Cluster, log, cancellationToken);
        // Restarts while the cluster came up count too.
        return await RunAsync(cluster, options, log, restartsFrom: 0, cancellationToken);
    }

    /// <summary>Runs the clients and faults of <paramref name="options"/> against a running cluster.</summary>
    public static Task<RunResult> RunAsync(ClusterHarness cluster, RunOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return RunAsync(cluster, options, log, cluster.Restarts.Count, cancellationToken);
    }

    private static async Task<RunResult> RunAsync(ClusterHarness cluster, RunOptions options, Action<string> log, int restartsFrom,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var rng = new Random(options.Seed);
        var notes = new List<string>();
        await using var workload = await Workload.StartAsync(cluster, options.Workload, options.Seed, cancellationToken);
        using var nemeses = new Nemeses(cluster, rng, log)
        {
            TargetLeaders = options.TargetLeaders, FirstTarget = options.FirstTarget, Keys = workload.Keys,
        };
        var kinds = options.Nemeses.Where(nemeses.Supports).ToList();
        foreach (var skipped in options.Nemeses.Except(kinds))
        {
            var note = $"NEMESIS {skipped} SKIPPED: this run has no network namespaces";
            notes.Add(note);
            log(note);
        }

        var shardsBefore = DataShards(await cluster.TryViewAsync());
        var faults = new List<FaultRecord>();
        var loadStart = DateTime.UtcNow;
        var loadStartTimestamp = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = workload.RunAsync(stopLoad.Token);
        Verdict? early = null;
        try
        {
            // Warm up without faults; leave a quiet tail after the last heal before the load stops.
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var lastCheck = clock.Elapsed;
            while (clock.Elapsed + options.FaultLength.Max + TimeSpan.FromSeconds(1) < options.Load && kinds.Count > 0)
            {
                var kind = kinds[rng.Next(kinds.Count)];
                var hold = Between(rng, options.FaultLength);
                var at = clock.Elapsed;
                var what = await nemeses.RunAsync(kind, hold, cancellationToken);
                var record = new FaultRecord(at, clock.Elapsed - at, kind, what);
                faults.Add(record);
                log(record.ToString());
                await Task.Delay(Between(rng, options.QuietLength), cancellationToken);
                if (options.CheckEvery is { } every && clock.Elapsed - lastCheck > every)
                {
                    lastCheck = clock.Elapsed;
                    early = LinearizabilityChecker.Check(workload.History.History(), new CheckOptions { MaxStepsPerKey = 2_000_000 }).Verdict;
                    log($"interim check at {clock.Elapsed.TotalSeconds:F1}s: {early}");
                    if (early == Verdict.Illegal)
                    {
                        break;
                    }
                }
            }

            if (early != Verdict.Illegal)
            {
                var rest = options.Load - clock.Elapsed;
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, cancellationToken);
                }
            }
        }
        finally
        {
            stopLoad.Cancel();
            await load;
            nemeses.HealAll();
        }

        var loadTime = clock.Elapsed;
        log($"load stopped after {loadTime.TotalSeconds:F1}s: {workload.Counts()}; healing and waiting for the cluster");
        if (!await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(60), cancellationToken))
        {
            notes.Add("the cluster did not report every shard led within 60 s of healing");
        }

        var shardsAfter = DataShards(await cluster.TryViewAsync());
        if (!await workload.FinalReadsAsync(TimeSpan.FromSeconds(30), cancellationToken))
        {
            notes.Add("some final reads never answered within 30 s of healing");
        }

        var history = workload.History.History();
        var checkClock = Stopwatch.StartNew();
        using var budget = new CancellationTokenSource(options.CheckBudget);
        var result = LinearizabilityChecker.Check(history, new CheckOptions { Cancellation = budget.Token });
        var checkTime = checkClock.Elapsed;
        string? report = null;
        if (!result.IsLinearizable)
        {
            var dir = options.ReportDirectory ?? Directory.CreateTempSubdirectory("multiraft-nemesis-report-").FullName;
            var windows = result.Verdict == Verdict.Illegal ? WindowShrinker.FindAll(history, result) : [];
            report = ReportWriter.Write(dir, result, windows)[0];
            log($"checker verdict {result.Verdict}: report at {report}");
        }

        var restarts = cluster.Restarts.Skip(restartsFrom).Select(r => new RestartRecord(r.ExitedAt - loadStart, r)).ToList();
        if (report is not null || restarts.Count > 0)
        {
            // The silos' and clients' logs say why: kept as evidence.
            cluster.KeepFiles = true;
        }

        return new RunResult(options.Seed, cluster.Lab is not null, faults, workload.Counts(), result, checkTime, loadTime, report, notes)
        {
            Membership = cluster.MembershipNote,
            Restarts = restarts,
            LogDirectory = cluster.KeepFiles ? cluster.Root : null,
            Timeline = workload.Timeline(loadStartTimestamp),
            DataShards = (shardsBefore, shardsAfter),
            SplitsAccepted = nemeses.SplitsAccepted,
            FreshChildSplits = nemeses.FreshChildSplits,
        };
    }

    // Data shards in the router's map as a silo sees it; -1 without a view.
    private static int DataShards(ClusterView? view) => view?.Shards.Count(s => s.ShardId != 0) ?? -1;

    private static TimeSpan Between(Random rng, (TimeSpan Min, TimeSpan Max) range) =>
        range.Min + (range.Max - range.Min) * rng.NextDouble();
}
