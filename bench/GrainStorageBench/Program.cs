using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiRaft.GrainStorage.Bench;
using MultiRaft.LoadGen;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage.Postgres.Tests;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

// One Orleans workload (N grains, each writing its state in a loop, C callers at once) run twice:
// with the state in MultiRaft (3 silos, 3 replicas, file WAL) and in Orleans' ADO.NET provider on
// one PostgreSQL server (synchronous_commit on). Both runs use the same three in-process silos,
// the same grain and the same serializer (the Orleans one), so they differ only in the storage.
if (BenchArgs.Parse(args, Console.Error) is not { } options)
{
    return 2;
}

var results = new List<(string Backend, int Bytes, Measurement Result)>();
if (options.Backends.Contains("multiraft"))
{
    var root = Directory.CreateTempSubdirectory("multiraft-grain-bench-").FullName;
    try
    {
        await using var cluster = await StartAsync((silo, builder) => builder
            .AddMultiRaft(o =>
            {
                o.SiloId = silo.SiloName;
                o.SiloPort = silo.SiloPort;
                o.GatewayPort = silo.GatewayPort;
                // No HTTP API runs in these silos; the port only completes the silo's record.
                o.HttpPort = Enumerable.Range(8080, 3).First(p => p != silo.SiloPort && p != silo.GatewayPort);
                o.DataDirectory = Path.Combine(root, silo.SiloName);
                o.Bootstrap = silo.SiloName == "Silo_0";
            })
            .AddMultiRaftGrainStorage(BenchGrain.Storage));
        await RunAllAsync("multiraft", cluster);
    }
    finally
    {
        Directory.Delete(root, recursive: true);
    }
}

if (options.Backends.Contains("adonet"))
{
    ThrowawayPostgres? server = null;
    var pg = options.Postgres;
    if (pg is null)
    {
        var bin = ThrowawayPostgres.FindBinaries()
            ?? throw new InvalidOperationException("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql), and no --pg given");
        server = await ThrowawayPostgres.StartAsync(bin);
        pg = server.ConnectionString;
    }

    try
    {
        var schema = $"grain_bench_{Environment.ProcessId}";
        await AdoNetPersistenceSchema.MigrateAsync(pg, schema);
        var durability = await DurabilityAsync(pg);
        Console.WriteLine($"PostgreSQL: {durability}");
        if (durability != "synchronous_commit=on fsync=on")
        {
            throw new InvalidOperationException($"the PostgreSQL server must commit durably; it has {durability}");
        }

        var connection = AdoNetPersistenceSchema.ConnectionString(pg, schema, BenchArgs.Silos);
        await using var cluster = await StartAsync((_, builder) =>
        {
            builder.Services.AddKeyedSingleton<IGrainStorageSerializer>(BenchGrain.Storage,
                (sp, _) => new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()));
            builder.AddAdoNetGrainStorage(BenchGrain.Storage, o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connection;
            });
        });
        await RunAllAsync("adonet-postgres", cluster);
    }
    finally
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

Console.WriteLine();
Console.WriteLine($"{options.Grains} grains, {options.Concurrency} concurrent callers, {options.Seconds} s measured after {options.Warmup} s of warm-up");
Console.WriteLine($"{"backend",-16} {"state",8} {"writes/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",7}");
foreach (var (backend, bytes, r) in results)
{
    Console.WriteLine($"{backend,-16} {bytes,6} B {r.WritesPerSecond,10:0} {r.P50Ms,8:0.00} {r.P99Ms,8:0.00} {r.Errors,7}");
}

foreach (var bytes in options.StateBytes)
{
    var mr = results.Where(r => r.Backend == "multiraft" && r.Bytes == bytes).Select(r => r.Result).FirstOrDefault();
    var pgr = results.Where(r => r.Backend == "adonet-postgres" && r.Bytes == bytes).Select(r => r.Result).FirstOrDefault();
    if (mr is not null && pgr is not null)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{bytes} B: MultiRaft / PostgreSQL = {mr.WritesPerSecond / pgr.WritesPerSecond:0.00}x writes/s, p50 {mr.P50Ms / pgr.P50Ms:0.00}x, p99 {mr.P99Ms / pgr.P99Ms:0.00}x"));
    }
}

return results.Any(r => r.Result.Errors > 0) ? 1 : 0;

async Task RunAllAsync(string backend, InProcessTestCluster cluster)
{
    var grains = Enumerable.Range(0, options.Grains).Select(i => cluster.Client.GetGrain<IBenchGrain>(i)).ToArray();
    foreach (var bytes in options.StateBytes)
    {
        await Workload.WarmAsync(grains, bytes, options.Concurrency, TimeSpan.FromSeconds(60));
        var result = await Workload.MeasureAsync(grains, bytes, options.Concurrency, TimeSpan.FromSeconds(options.Warmup), TimeSpan.FromSeconds(options.Seconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend} {bytes} B: {result.WritesPerSecond:0} writes/s, p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms, {result.Errors} errors"));
        if (result.FirstError is { } first)
        {
            Console.WriteLine($"  first error: {first}");
        }

        results.Add((backend, bytes, result));
    }
}

static async Task<InProcessTestCluster> StartAsync(Action<InProcessTestSiloSpecificOptions, ISiloBuilder> configure)
{
    var builder = new InProcessTestClusterBuilder(BenchArgs.Silos);
    builder.Options.ConfigureFileLogging = false;
    builder.ConfigureHost(h => h.Logging.SetMinimumLevel(LogLevel.Warning));
    builder.ConfigureSilo(configure);
    var cluster = builder.Build();
    await cluster.DeployAsync();
    return cluster;
}

static async Task<string> DurabilityAsync(string pg)
{
    await using var connection = new NpgsqlConnection(pg);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SELECT current_setting('synchronous_commit'), current_setting('fsync')", connection);
    await using var reader = await command.ExecuteReaderAsync();
    await reader.ReadAsync();
    return $"synchronous_commit={reader.GetString(0)} fsync={reader.GetString(1)}";
}

/// <summary>One run's figures; <paramref name="FirstError"/> is the first failed write's exception, if any.</summary>
internal sealed record Measurement(double WritesPerSecond, double P50Ms, double P99Ms, long Errors, string? FirstError);

internal static class Workload
{
    /// <summary>
    /// Writes every grain once (activating it and creating its state), retrying each until
    /// <paramref name="within"/> passes: the cluster may still be electing its leaders.
    /// </summary>
    public static async Task WarmAsync(IBenchGrain[] grains, int bytes, int concurrency, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < grains.Length; i = Interlocked.Increment(ref next))
            {
                while (true)
                {
                    try
                    {
                        await grains[i].Write(bytes);
                        break;
                    }
                    catch (Exception ex) when (deadline.Elapsed < within && ex is not OutOfMemoryException)
                    {
                        await Task.Delay(100);
                    }
                }
            }
        }));
    }

    /// <summary>
    /// Closed loop: each caller writes grains in turn (caller c takes c, c + C, c + 2C, ...)
    /// without pause; writes that start after the warm-up and end before the end are counted.
    /// </summary>
    public static async Task<Measurement> MeasureAsync(IBenchGrain[] grains, int bytes, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        var histogram = new LatencyHistogram();
        long errors = 0;
        string? firstError = null;
        var start = Stopwatch.GetTimestamp();
        var from = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = from + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async caller =>
        {
            for (var i = caller; ; i += concurrency)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= end)
                {
                    return;
                }

                try
                {
                    await grains[i % grains.Length].Write(bytes);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                    continue;
                }

                var t1 = Stopwatch.GetTimestamp();
                if (t0 >= from && t1 <= end)
                {
                    histogram.Record((long)Stopwatch.GetElapsedTime(t0, t1).TotalNanoseconds);
                }
            }
        }));

        return new Measurement(histogram.Count / duration.TotalSeconds, histogram.ValueAtPercentile(50) / 1e6,
            histogram.ValueAtPercentile(99) / 1e6, errors, firstError);
    }
}
