using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MultiRaft.Storage.FileWal;

/// <summary>The file WAL's instruments, on the meter the host hands it (<see cref="FileWalOptions.Meter"/>).</summary>
internal sealed class WalMetrics
{
    public WalMetrics(Meter meter)
    {
        FsyncDuration = meter.CreateHistogram("multiraft.wal.fsync.duration", "ms",
            "One fdatasync of a batch of WAL records (a group commit)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Milliseconds });
        FsyncBytes = meter.CreateHistogram("multiraft.wal.fsync.bytes", "By",
            "Bytes written to the WAL by one synced batch",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [512, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216] });
    }

    public Histogram<double> FsyncDuration { get; }

    public Histogram<long> FsyncBytes { get; }

    /// <summary>Syncs <paramref name="file"/>, timing it while the histogram has a listener.</summary>
    public void Sync(IWalFile file, long bytes)
    {
        var started = FsyncDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        file.Sync();
        if (started != 0)
        {
            FsyncDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        FsyncBytes.Record(bytes);
    }
}
