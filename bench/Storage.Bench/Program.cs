using System.Globalization;
using MultiRaft.Storage;
using MultiRaft.Storage.Bench;
using MultiRaft.Storage.FileWal;
using MultiRaft.Storage.Postgres;

// Storage benchmark, one run: the disk's raw fdatasync pace, then the file WAL and PostgreSQL
// with 1, 16, 256 and 4096 replicas appending concurrently (one entry per append, each waiting
// until durable). Usage:
//   dotnet run -c Release --project bench/Storage.Bench -- [seconds-per-step] [wal-directory]
// PostgreSQL runs when MULTIRAFT_PG holds a connection string (bench/storage.sh starts a
// throwaway server and sets it).
var inv = CultureInfo.InvariantCulture;
var seconds = args.Length > 0 ? double.Parse(args[0], inv) : 5;
var dir = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "multiraft-storage-bench-" + Environment.ProcessId);
Directory.CreateDirectory(dir);
var step = TimeSpan.FromSeconds(seconds);
int[] replicaCounts = [1, 16, 256, 4096];

Console.WriteLine($"storage benchmark: {seconds} s per step, WAL directory {dir}");
var (rawRate, rawLatency) = RawSyncProbe.Run(dir, step);
var rawP50 = rawLatency.PercentileMs(0.5);
Console.WriteLine($"raw fdatasync (1 writer, 64 B): {rawRate,8:N0} syncs/s   p50 {rawP50:F3} ms   p99 {rawLatency.PercentileMs(0.99):F3} ms");
Console.WriteLine();

var results = new List<(string Provider, ConcurrentAppenders.Result R)>();
ulong shardBase = 1_000_000;

// File WAL.
{
    var walDir = Path.Combine(dir, "wal");
    Directory.CreateDirectory(walDir);
    var device = new CountingDevice(new DiskWalDevice(walDir));
    await using var wal = new FileWalProvider(new FileWalOptions { Directory = walDir, Device = device });
    await wal.RecoverAsync(CancellationToken.None);
    foreach (var n in replicaCounts)
    {
        var r = await ConcurrentAppenders.RunAsync(wal, n, step, () => Task.FromResult(device.Syncs), shardBase);
        shardBase += (ulong)n;
        results.Add(("file", r));
        Print("file", r);
    }
}

// PostgreSQL.
var pg = Environment.GetEnvironmentVariable("MULTIRAFT_PG");
if (string.IsNullOrEmpty(pg))
{
    Console.WriteLine("postgres: skipped (set MULTIRAFT_PG, or run bench/storage.sh which starts a throwaway server)");
}
else
{
    await using var provider = new PostgresStorageProvider(new PostgresStorageOptions
    {
        ConnectionString = pg,
        Schema = "bench_" + Environment.ProcessId.ToString(inv),
        SiloId = "bench",
    });
    await provider.RecoverAsync(CancellationToken.None);

    // Each committed transaction is one durable write (synchronous_commit on): PostgreSQL's fsync.
    Task<long> Commits() => Task.FromResult(provider.CommittedBatches);

    foreach (var n in replicaCounts)
    {
        var r = await ConcurrentAppenders.RunAsync(provider, n, step, Commits, shardBase);
        shardBase += (ulong)n;
        results.Add(("postgres", r));
        Print("postgres", r);
    }
}

Console.WriteLine();
Console.WriteLine("targets (file WAL):");
foreach (var (name, r) in results.Where(x => x.Provider == "file" && x.R.Replicas >= 256))
{
    var ratio = r.EntriesPerSecond / rawRate;
    Console.WriteLine($"  {r.Replicas,5} replicas: {ratio,6:F1}x the raw fdatasync rate in entries/s (target >= 20x) {(ratio >= 20 ? "MET" : "MISSED")}");
}

// The lone writer against the raw disk, alternated in one-second rounds so that both see the
// same moments of a noisy machine; the ratio is of the p50s over all rounds.
var rawRounds = new Latencies();
var walRounds = new Latencies();
{
    var walDir = Path.Combine(dir, "wal-single");
    Directory.CreateDirectory(walDir);
    await using var wal = new FileWalProvider(new FileWalOptions { Directory = walDir });
    await wal.RecoverAsync(CancellationToken.None);
    for (var round = 0; round < 5; round++)
    {
        rawRounds.AddRange(RawSyncProbe.Run(dir, TimeSpan.FromSeconds(1)).Latency);
        walRounds.AddRange((await ConcurrentAppenders.RunAsync(wal, 1, TimeSpan.FromSeconds(1), () => Task.FromResult(0L), shardBase)).Latency);
    }
}

var latRatio = walRounds.PercentileMs(0.5) / rawRounds.PercentileMs(0.5);
Console.WriteLine($"  1 writer, 5 alternating 1 s rounds: p50 durable append {walRounds.PercentileMs(0.5):F3} ms vs raw fdatasync {rawRounds.PercentileMs(0.5):F3} ms = {latRatio:F2}x (target <= 1.3x) {(latRatio <= 1.3 ? "MET" : "MISSED")}");
Directory.Delete(dir, recursive: true);

void Print(string provider, ConcurrentAppenders.Result r) =>
    Console.WriteLine($"{provider,-8} {r.Replicas,5} replicas: {r.EntriesPerSecond,9:N0} entries/s {r.SyncsPerSecond,8:N0} syncs/s   p50 {r.Latency.PercentileMs(0.5),7:F3} ms   p99 {r.Latency.PercentileMs(0.99),7:F3} ms   ({r.Entries / Math.Max(1.0, r.Syncs):F1} entries/sync)");
