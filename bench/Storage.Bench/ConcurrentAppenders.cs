using System.Diagnostics;
using MultiRaft.Raft;

namespace MultiRaft.Storage.Bench;

/// <summary>
/// N replicas, each in its own loop: append one 100-byte entry with its hard state, wait until
/// durable, repeat. Measures entries per second, syncs per second and append-until-durable latency.
/// </summary>
internal static class ConcurrentAppenders
{
    public sealed record Result(int Replicas, long Entries, double Seconds, long Syncs, Latencies Latency)
    {
        public double EntriesPerSecond => Entries / Seconds;

        public double SyncsPerSecond => Syncs / Seconds;
    }

    public static async Task<Result> RunAsync(IStorageProvider provider, int replicas, TimeSpan duration,
        Func<Task<long>> readSyncs, ulong shardBase)
    {
        var payload = new byte[100];
        var stop = Stopwatch.StartNew();
        var syncs0 = await readSyncs();
        var loops = Enumerable.Range(0, replicas).Select(r => Task.Run(async () =>
        {
            var id = new ReplicaId(shardBase + (ulong)r, 1);
            var lat = new Latencies();
            ulong index = 0;
            while (stop.Elapsed < duration)
            {
                index++;
                var t0 = Stopwatch.GetTimestamp();
                var pos = provider.Append(id, new HardState(1, 1, index - 1), [new Entry(1, index, payload)]);
                await provider.WaitDurableAsync(pos, CancellationToken.None).ConfigureAwait(false);
                lat.Add(Stopwatch.GetTimestamp() - t0);
            }

            return lat;
        })).ToArray();
        var all = await Task.WhenAll(loops);
        var seconds = stop.Elapsed.TotalSeconds;
        var syncs = await readSyncs() - syncs0;
        var latency = new Latencies();
        foreach (var l in all)
        {
            latency.AddRange(l);
        }

        return new Result(replicas, latency.Count, seconds, syncs, latency);
    }
}
