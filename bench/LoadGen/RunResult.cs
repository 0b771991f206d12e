using System.Collections.Concurrent;

namespace MultiRaft.LoadGen;

/// <summary>What a run measured: latencies of successful requests per kind, and errors by cause.</summary>
public sealed class RunResult
{
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);

    /// <summary>Latency in nanoseconds of each successful write recorded in the measured window.</summary>
    public LatencyHistogram Writes { get; } = new();

    /// <summary>Latency in nanoseconds of each successful read recorded in the measured window.</summary>
    public LatencyHistogram Reads { get; } = new();

    /// <summary>Failed requests in the measured window, by cause: <c>status 503</c>, <c>timeout</c>, an HTTP error kind, or the type name of an exception a target threw.</summary>
    public IReadOnlyDictionary<string, long> Errors => _errors;

    /// <summary>Length of the measured window (shorter than asked when every client stopped early).</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>Successful requests of both kinds.</summary>
    public long Ops => Writes.Count + Reads.Count;

    /// <summary>Failed requests of every cause.</summary>
    public long ErrorCount => _errors.Values.Sum();

    /// <summary>Successful requests per second of the measured window.</summary>
    public double OpsPerSecond => PerSecond(Ops);

    /// <summary>Successful writes per second of the measured window.</summary>
    public double WritesPerSecond => PerSecond(Writes.Count);

    /// <summary>Successful reads per second of the measured window.</summary>
    public double ReadsPerSecond => PerSecond(Reads.Count);

    internal void AddError(string cause) => _errors.AddOrUpdate(cause, 1, static (_, n) => n + 1);

    private double PerSecond(long n) => Elapsed > TimeSpan.Zero ? n / Elapsed.TotalSeconds : 0;
}
