using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Silo.Engine;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// A silo that was down while its shards' leaders compacted their logs catches up through
/// snapshots sent in pieces (1 KiB here, so every snapshot of the test streams), and ends with
/// the same state as the other replicas.
/// </summary>
public sealed class SnapshotStreamingTests
{
    [Fact]
    public async Task A_silo_behind_the_compacted_logs_catches_up_through_snapshots_sent_in_pieces()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: 2, o =>
        {
            o.SnapshotChunkBytes = 1024;
            o.SnapshotBytesPerSecond = 1 << 20;
            o.SnapshotEntries = 10;
            o.SnapshotKeepEntries = 0;
        });
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        await cluster.StopSiloAsync(2);

        // Enough entries for the leaders to compact past what s3 has, and enough bytes per shard
        // for its snapshot to take many pieces.
        await using var client = cluster.NewClient();
        var value = new string('v', 200);
        var versions = new Dictionary<string, ulong>();
        for (var i = 0; i < 120; i++)
        {
            var key = $"streamed/{i}";
            versions[key] = await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value + i));
        }

        await cluster.RestartSiloAsync(2);
        var digests = await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        Assert.Equal(2, digests.Count); // both data shards, every replica alike

        var streamed = Enumerable.Range(0, 2).Sum(i => cluster.Services(i).GetRequiredService<SiloEngine>().Snapshots.Started);
        Assert.True(streamed >= 2, $"the leaders on s1 and s2 streamed {streamed} snapshots; s3 needed one per data shard");
        foreach (var (key, version) in versions)
        {
            var got = await client.GetAsync(Encoding.UTF8.GetBytes(key));
            Assert.NotNull(got);
            Assert.Equal(version, got.Version);
        }
    }
}
