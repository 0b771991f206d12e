using System.Text;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// TESTING.md scenario 22, a silo re-added with a wiped disk: it joins again under its old name
/// with empty storage, and the router treats every replica it held as lost. None is started again
/// under its old id (its log and votes are gone, so it could vote twice or forget acknowledged
/// entries); new replicas with new ids catch up from the others, and every write stays readable.
/// </summary>
public sealed class WipedDiskTests
{
    [Fact]
    public async Task A_silo_back_with_a_wiped_disk_gets_new_replicas_and_loses_no_write()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: 4);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        await using var client = cluster.NewClient(TimeSpan.FromSeconds(30));
        var versions = new Dictionary<string, ulong>();
        for (var i = 0; i < 30; i++)
        {
            versions["wiped/" + i] = await client.PutAsync(Encoding.UTF8.GetBytes("wiped/" + i), Encoding.UTF8.GetBytes("v" + i));
        }

        var before = await cluster.ViewAsync();
        var old = before.Shards.SelectMany(s => s.Replicas.Where(r => r.SiloId == "s3").Select(r => r.ReplicaId)).ToHashSet();
        Assert.Equal(5, old.Count);
        var index = cluster.IndexOf("s3");
        await cluster.StopSiloAsync(index);
        Directory.Delete(cluster.Silos[index].DataDirectory, recursive: true);

        var recovered = await cluster.RestartSiloAsync(index);

        Assert.Empty(recovered);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(90));
        var after = await cluster.ViewAsync();
        var now = after.Shards.SelectMany(s => s.Replicas.Where(r => r.SiloId == "s3")).ToList();
        Assert.Equal(5, now.Count);
        Assert.DoesNotContain(now, r => old.Contains(r.ReplicaId));
        // The shards' leaders (the router's too) take the lost ids out of their groups and report it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (after.Leaders.SelectMany(l => l.Voters.Concat(l.Learners)).Any(old.Contains))
        {
            Assert.True(DateTime.UtcNow < deadline, "a lost replica is still in its group: "
                + string.Join(", ", after.Leaders.Where(l => l.Voters.Concat(l.Learners).Any(old.Contains)).Select(l => l.ShardId)));
            await Task.Delay(100, TestContext.Current.CancellationToken);
            after = await cluster.ViewAsync();
        }
        foreach (var (key, version) in versions)
        {
            var got = await client.GetAsync(Encoding.UTF8.GetBytes(key), cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(got is not null, key + " lost");
            Assert.Equal(version, got.Version);
        }
    }
}
