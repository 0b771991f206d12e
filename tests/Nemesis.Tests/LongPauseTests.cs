using System.Diagnostics;
using System.Globalization;
using System.Text;
using MultiRaft.Linearizability;

namespace MultiRaft.Nemesis.Tests;

/// <summary>
/// A silo frozen (SIGSTOP) for longer than Orleans' failure detection, under client load, on
/// PostgreSQL clustering (so the victim may be s1): the others declare it dead, the router marks
/// it dead; after SIGCONT it learns it was declared dead and stops itself, the harness restarts
/// it (like a container restart policy), it rejoins under the same name with its replicas from
/// its WAL, the router marks it active again, the cluster serves, and the history is linearizable.
/// </summary>
/// <remarks>
/// The silo exposes no failure-detection setting, so Orleans 10.4.2's defaults apply
/// (<c>ClusterMembershipOptions</c>: a probe every <c>ProbeTimeout</c> = 5 s,
/// <c>NumMissedProbesLimit</c> = 3 missed probes make a suspicion, <c>NumVotesForDeathDeclaration</c>
/// = 2 suspicions declare a silo dead; with three silos both others must vote): about 15-25 s.
/// Instead of a fixed pause the test holds the silo stopped until the membership table in
/// PostgreSQL says its generation is Dead (at most 60 s) and the router's view agrees, then 2 s
/// more, so the pause is past failure detection by construction and no longer than needed.
/// </remarks>
public sealed class LongPauseTests(ITestOutputHelper output, PostgresFixture postgres)
{
    private static readonly TimeSpan DeclaredDeadWithin = TimeSpan.FromSeconds(100);

    [Fact]
    public async Task A_silo_paused_past_failure_detection_stops_itself_is_restarted_rejoins_and_the_history_is_linearizable()
    {
        var clock = Stopwatch.StartNew();
        void Log(string line) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,6:F1}s] {line}"));
        await using var cluster = await ClusterHarness.StartAsync(new ClusterOptions
        {
            Clustering = ClusteringMode.Postgres,
            PostgresConnectionString = await postgres.ConnectionStringAsync(),
        }, Log, CancellationToken.None);
        // Kept as evidence unless every assertion below passes.
        cluster.KeepFiles = true;
        Log($"silo logs (kept if the test fails): {cluster.Root}");
        await using var workload = await Workload.StartAsync(cluster, new WorkloadOptions(), seed: 21, CancellationToken.None);
        using var stopLoad = new CancellationTokenSource();
        var load = workload.RunAsync(stopLoad.Token);
        string victimId;
        SiloRestart exit;
        long rejoinedAt;
        int replicasBefore;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));

            // The victim: the silo leading the most data shards (ties: the first, so s1 when it is one of them).
            var counts = await cluster.LeaderCountsAsync();
            victimId = counts.OrderByDescending(c => c.Value).ThenBy(c => cluster.IndexOf(c.Key)).First().Key;
            var victim = cluster[cluster.IndexOf(victimId)];
            var others = cluster.Silos.Where(s => s != victim).ToList();
            var viewBefore = await cluster.TryViewAsync() ?? throw new InvalidOperationException("no silo answers GET /cluster");
            replicasBefore = viewBefore.Shards.Count(s => s.Replicas.Any(r => r.SiloId == victimId));
            var generation = (await cluster.MembershipAsync()).Where(r => r.SiloName == victimId && r.Status == MembershipRow.Active)
                .Max(r => r.Generation);
            var startsBefore = victim.Starts;
            var pidBefore = victim.Pid;
            Log($"SIGSTOP {victimId} (pid {pidBefore}, Orleans generation {generation}): it leads {counts[victimId]} of "
                + $"{cluster.Options.Shards} data shards ({string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}) and holds {replicasBefore} replicas");
            victim.Pause();
            var pausedAt = clock.Elapsed;

            // 1. The other silos declare it dead: its generation's row in the membership table says Dead.
            MembershipRow? declared = null;
            await UntilAsync("the membership table declares the paused silo dead", DeclaredDeadWithin, async () =>
            {
                declared = (await cluster.MembershipAsync()).SingleOrDefault(r => r.SiloName == victimId && r.Generation == generation);
                return declared?.Status == MembershipRow.Dead;
            }, cluster);
            Log($"declared dead {(clock.Elapsed - pausedAt).TotalSeconds:F1}s into the pause: {declared}");

            // 2. The router marks Orleans-dead silos dead: every other silo's view says so.
            await UntilAsync("every other silo's GET /cluster lists the paused silo as dead", TimeSpan.FromSeconds(20),
                async () => await AllViewsSayAsync(cluster, others, victimId, "dead"), cluster);
            Log($"every other silo's view lists {victimId} as dead {(clock.Elapsed - pausedAt).TotalSeconds:F1}s into the pause");

            // Past failure detection by construction; a little more, then SIGCONT.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var resumedAt = DateTime.UtcNow;
            victim.Resume();
            Log($"SIGCONT {victimId} after a pause of {(clock.Elapsed - pausedAt).TotalSeconds:F1}s");

            // 3. It learns it was declared dead and stops itself: an exit nobody caused, after SIGCONT.
            SiloRestart? seen = null;
            await UntilAsync("the paused silo stops itself after SIGCONT", TimeSpan.FromSeconds(60), () =>
            {
                seen = cluster.Restarts.FirstOrDefault(r => r.SiloId == victimId && r.ExitedAt >= resumedAt);
                return Task.FromResult(seen is not null);
            }, cluster);
            exit = seen!;
            Log($"{victimId} exited on its own {(exit.ExitedAt - resumedAt).TotalSeconds:F1}s after SIGCONT with code {exit.ExitCode}: {exit.Reason}");
            // Orleans' own words, and its fail-fast (SIGABRT: 128 + 6).
            Assert.Contains("I have been told I am dead", exit.Reason, StringComparison.Ordinal);
            Assert.Equal(134, exit.ExitCode);

            // 4. The harness restarts it; it rejoins under the same name and every other silo's view lists it active again.
            await UntilAsync("the restarted silo is active in every other silo's GET /cluster", TimeSpan.FromSeconds(90), async () =>
                victim.Starts > startsBefore && victim.Running && await AllViewsSayAsync(cluster, others, victimId, "active"), cluster);
            rejoinedAt = Stopwatch.GetTimestamp();
            var rows = await cluster.MembershipAsync();
            Log($"{victimId} rejoined as pid {victim.Pid} {(DateTime.UtcNow - exit.ExitedAt).TotalSeconds:F1}s after it exited; membership table:\n  "
                + string.Join("\n  ", rows));
            Assert.NotEqual(pidBefore, victim.Pid);
            Assert.Contains(rows, r => r.SiloName == victimId && r.Generation > generation && r.Status == MembershipRow.Active);

            // 5. The cluster serves with it back: a few more seconds of load.
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        finally
        {
            await stopLoad.CancelAsync();
            await load;
        }

        var victimSilo = cluster[cluster.IndexOf(victimId)];
        Log($"load stopped: {workload.Counts()}");
        Assert.True(await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None),
            "not every shard has all its replicas and a leader on a live silo after the rejoin\n" + cluster.LogTails(30));
        Assert.True(await workload.FinalReadsAsync(TimeSpan.FromSeconds(30), CancellationToken.None), "some final reads never answered");

        // It came back from its WAL: its start-up says it restarted with its replicas from storage.
        var restartLine = LinesSinceLastStart(victimSilo).FirstOrDefault(l => l.Contains($"Silo {victimId} restarting with", StringComparison.Ordinal));
        Log($"{victimId} after the restart: {restartLine?.Trim() ?? "(no restart line)"}");
        Assert.NotNull(restartLine);
        // Its router replica and every data replica it held before the pause.
        Assert.Contains($"restarting with {replicasBefore} replicas from storage", restartLine, StringComparison.Ordinal);

        // The restarted silo serves requests itself (a key of its own, outside the checked history).
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            using var put = await http.PutAsync(new Uri(victimSilo.HttpBase, "kv/long-pause/after"), new ByteArrayContent(Encoding.UTF8.GetBytes("back")));
            Assert.True(put.IsSuccessStatusCode, $"PUT through the restarted {victimId}: {(int)put.StatusCode}");
            var other = cluster.Silos.First(s => s != victimSilo);
            Assert.Equal("back", await http.GetStringAsync(new Uri(other.HttpBase, "kv/long-pause/after")));
        }

        var history = workload.History.History();
        var okAfterRejoin = history.Count(o => o.Outcome == Outcome.Ok && o.InvokeTime >= rejoinedAt && o.ClientId < 1000);
        Log($"operations answered ok after the rejoin, before the load stopped: {okAfterRejoin}");
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var check = LinearizabilityChecker.Check(history, new CheckOptions { Cancellation = budget.Token });
        Log($"checker: {check.Verdict} over {check.Keys.Count} keys; silo restarts: {string.Join("; ", cluster.Restarts)}");
        Assert.True(okAfterRejoin > 50, $"only {okAfterRejoin} operations succeeded after the rejoin");
        Assert.Equal(Verdict.Ok, check.Verdict);
        cluster.KeepFiles = false;
    }

    // Each silo's own GET /cluster lists the silo with this status.
    private static async Task<bool> AllViewsSayAsync(ClusterHarness cluster, IReadOnlyList<SiloProcess> silos, string siloId, string status)
    {
        var expected = status == "dead" ? Grains.Interfaces.Protos.SiloStatus.Dead : Grains.Interfaces.Protos.SiloStatus.Active;
        foreach (var s in silos)
        {
            var view = await cluster.TryViewAsync(s);
            if (view?.Silos.FirstOrDefault(x => x.SiloId == siloId)?.Status != expected)
            {
                return false;
            }
        }

        return true;
    }

    // The silo's log since the harness last started it.
    private static List<string> LinesSinceLastStart(SiloProcess silo)
    {
        var lines = silo.LogTail(100_000);
        var start = lines.ToList().FindLastIndex(l => l.StartsWith("==== ", StringComparison.Ordinal) && l.Contains("harness: starting", StringComparison.Ordinal));
        return [.. lines.Skip(Math.Max(0, start))];
    }

    private static async Task UntilAsync(string what, TimeSpan timeout, Func<Task<bool>> condition, ClusterHarness cluster)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {timeout.TotalSeconds:F0}s: {what}; logs kept at {cluster.Root}\n{cluster.LogTails(40)}");
            }

            await Task.Delay(250);
        }
    }
}
