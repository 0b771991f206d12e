using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using MultiRaft.Storage.FileWal;

namespace MultiRaft.Storage.Bench;

/// <summary>
/// The disk's own pace: one writer appending 64 bytes and calling fdatasync, as fast as it
/// can, in a preallocated file in the directory under test. Every other figure is read
/// against this one, measured in the same run.
/// </summary>
internal static class RawSyncProbe
{
    public static (double PerSecond, Latencies Latency) Run(string directory, TimeSpan duration)
    {
        var path = Path.Combine(directory, "raw-fdatasync.probe");
        var latency = new Latencies();
        using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None,
                   FileOptions.None, preallocationSize: 64L << 20))
        {
            // Make the file's extent durable first, so each sync below is a data sync only, as
            // it is for the WAL's preallocated segments.
            RandomAccess.Write(handle, new byte[1 << 20], 0);
            RandomAccess.FlushToDisk(handle);
            var record = new byte[64];
            long offset = 0;
            var total = Stopwatch.StartNew();
            while (total.Elapsed < duration)
            {
                var t0 = Stopwatch.GetTimestamp();
                RandomAccess.Write(handle, record, offset);
                Sync(handle);
                latency.Add(Stopwatch.GetTimestamp() - t0);
                offset = (offset + 64) % (1 << 20);
            }

            var perSecond = latency.Count / total.Elapsed.TotalSeconds;
            File.Delete(path);
            return (perSecond, latency);
        }
    }

    private static void Sync(SafeFileHandle handle) => NativeSync.DataSync(handle);
}
