namespace MultiRaft.Storage;

/// <summary>Histogram bucket bounds shared by the silo's instruments (the WAL's here, the engine's above it).</summary>
public static class MetricBuckets
{
    /// <summary>Latencies in milliseconds: an fdatasync or a commit takes from tens of µs to seconds.</summary>
    public static IReadOnlyList<double> Milliseconds { get; } =
        [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
}
