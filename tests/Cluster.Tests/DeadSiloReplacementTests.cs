using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Silo.Engine;
using MultiRaft.Storage;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// A silo that Orleans declares dead has its data replicas replaced on the live silos: each
/// shard gets a learner on a silo without one, which catches up and swaps in for the dead
/// replica in one joint change; every write stays readable. When the silo comes back, its
/// replaced replicas are deleted and the router lists none of them.
/// </summary>
public sealed class DeadSiloReplacementTests
{
    [Fact]
    public async Task A_dead_silos_replicas_are_replaced_and_deleted_when_it_returns()
    {
        await using var cluster = await InProcessCluster.StartSpreadAsync(silos: 4, shards: 4);
        await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(60));
        var before = await cluster.WaitBalancedAsync(TimeSpan.FromSeconds(60));
        var victim = InProcessCluster.BusiestSiloBesidesFirst(before);
        var lost = before.Shards.Where(s => s.ShardId != 0)
            .SelectMany(s => s.Replicas.Where(r => r.SiloId == victim).Select(r => (s.ShardId, r.ReplicaId))).ToList();
        Assert.NotEmpty(lost);

        await using var client = cluster.NewClient();
        var versions = new Dictionary<string, ulong>();
        for (var i = 0; i < 40; i++)
        {
            var key = "replace/" + i;
            versions[key] = await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("v" + i));
        }

        var index = cluster.IndexOf(victim);
        await cluster.StopSiloAsync(index);

        // Every data shard back to three voters, none on the victim, all replicas agreeing.
        var digests = await cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(90));
        Assert.Equal(before.Shards.Count - 1, digests.Count);
        var after = await cluster.ViewAsync();
        Assert.DoesNotContain(after.Shards.Where(s => s.ShardId != 0).SelectMany(s => s.Replicas), r => r.SiloId == victim);
        Assert.Equal(SiloStatus.Dead, after.Silos.Single(s => s.SiloId == victim).Status);
        foreach (var (shard, _) in lost)
        {
            // The replacement is a new replica (ids are never reused) on a silo the shard did not use.
            var was = before.Shards.Single(s => s.ShardId == shard).Replicas;
            var added = Assert.Single(after.Shards.Single(s => s.ShardId == shard).Replicas, r => was.All(w => w.ReplicaId != r.ReplicaId));
            Assert.DoesNotContain(was, w => w.SiloId == added.SiloId);
            Assert.Equal(ReplicaRole.Voter, added.Role);
        }

        foreach (var (key, version) in versions)
        {
            var got = await client.GetAsync(Encoding.UTF8.GetBytes(key));
            Assert.True(got is not null, key + " lost after the replacement");
            Assert.Equal(version, got.Version);
        }

        // Back again: the victim's replaced replicas are deleted from its engine and storage.
        var recovered = await cluster.RestartSiloAsync(index);
        foreach (var (shard, replica) in lost)
        {
            Assert.Contains(new ReplicaId(shard, replica), recovered.Keys);
        }

        var engine = cluster.Services(index).GetRequiredService<SiloEngine>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (lost.Any(l => engine.Find(l.ShardId)?.ReplicaId == l.ReplicaId || engine.Store.Replicas.Contains(new ReplicaId(l.ShardId, l.ReplicaId))))
        {
            Assert.True(DateTime.UtcNow < deadline, victim + " still holds replaced replicas: "
                + string.Join(", ", lost.Where(l => engine.Find(l.ShardId)?.ReplicaId == l.ReplicaId).Select(l => $"{l.ShardId}.{l.ReplicaId}")));
            await Task.Delay(100);
        }

        foreach (var (key, version) in versions)
        {
            Assert.Equal(version, (await client.GetAsync(Encoding.UTF8.GetBytes(key)))!.Version);
        }
    }
}
