using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Runtime;
using MultiRaft.Silo.Engine;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// A replica grain lives only on the silo its key names: a call that enters the cluster at
/// silo 1 is answered by the member on silo 2 or 3, and a key naming a silo that does not host
/// that member gets SHARD_NOT_FOUND, never data.
/// </summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class PinningTests(ThreeSiloFixture fixture)
{
    private InProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_call_entering_at_silo_1_is_answered_by_the_member_on_the_silo_its_key_names()
    {
        await Cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(30));
        // Leaders settled too: a transfer the balancer makes (a new leader's empty entry) between
        // the two digests below would move one applied index and not the other.
        await Cluster.WaitBalancedAsync(TimeSpan.FromSeconds(60));
        await using var viaSilo1 = await ClusterClientHost.StartAsync([Cluster.Gateway(0)]);
        var management = viaSilo1.Grains.GetGrain<IManagementGrain>(0);
        var view = await Cluster.ViewAsync();
        foreach (var silo in new[] { 1, 2 })
        {
            var siloId = Cluster.Silos[silo].SiloId;
            foreach (var shard in view.Shards.Where(s => s.ShardId != 0))
            {
                var member = shard.Replicas.Single(r => r.SiloId == siloId);
                var local = Cluster.Services(silo).GetRequiredService<SiloEngine>().Find(shard.ShardId);
                Assert.Equal(member.ReplicaId, local?.ReplicaId);

                var grain = viaSilo1.Grains.GetGrain<IReplicaGrain>(GrainKeys.Replica(shard.ShardId, member.ReplicaId, siloId));
                var answer = await grain.Digest();
                // The member's own digest, asked on its silo: the data shards are idle, so both see one applied index.
                var expected = await Cluster.Services(silo).GetRequiredService<IReplicaOperations>().DigestAsync(shard.ShardId);
                Assert.Equal(ResponseStatus.Ok, answer.Status);
                Assert.Equal(expected.Version, answer.Version);
                Assert.Equal(expected.Value, answer.Value);
                Assert.Equal(expected.Shard, answer.Shard);
                Assert.Contains(answer.Shard.Replicas, r => r.ReplicaId == member.ReplicaId && r.SiloId == siloId && r.Role == ReplicaRole.Voter);

                var activation = await management.GetActivationAddress(grain);
                Assert.Equal(IPEndPoint.Parse(Cluster.Silos[silo].SiloAddress), activation?.Endpoint);
            }
        }
    }

    [Fact]
    public async Task A_key_naming_a_silo_that_does_not_host_the_member_gets_shard_not_found_and_no_data()
    {
        await using var viaSilo1 = await ClusterClientHost.StartAsync([Cluster.Gateway(0)]);
        var view = await Cluster.ViewAsync();
        var silos = Cluster.Silos.Select(s => s.SiloId).ToList();
        foreach (var shard in view.Shards.Where(s => s.ShardId != 0))
        {
            foreach (var member in shard.Replicas)
            {
                // The same member id under every other silo's name: each of those silos hosts another member.
                foreach (var wrong in silos.Where(s => s != member.SiloId))
                {
                    var answer = await viaSilo1.Grains.GetGrain<IReplicaGrain>(GrainKeys.Replica(shard.ShardId, member.ReplicaId, wrong)).Digest();
                    Assert.Equal(ResponseStatus.ShardNotFound, answer.Status);
                    Assert.True(answer.Value.IsEmpty, $"{shard.ShardId}.{member.ReplicaId}@{wrong} answered data");
                    Assert.Equal(0UL, answer.Version);
                    Assert.Null(answer.Shard);
                }
            }
        }
    }

    [Fact]
    public async Task A_silo_grain_serves_reads_and_writes_for_its_own_replicas_only()
    {
        await Cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(30));
        await using var viaSilo1 = await ClusterClientHost.StartAsync([Cluster.Gateway(0)]);
        var view = await Cluster.ViewAsync();
        var shard = view.Shards.First(s => s.ShardId != 0);
        var other = view.Shards.First(s => s.ShardId != 0 && s.ShardId != shard.ShardId);
        var member = shard.Replicas[0];
        var wrong = Cluster.Silos.Select(s => s.SiloId).First(s => s != member.SiloId);
        var key = Enumerable.Range(0, 1_000_000).Select(i => $"never-written/{i}").First(k =>
            KeyHash.Of(System.Text.Encoding.UTF8.GetBytes(k)) is var h && h >= shard.HashStart && h < shard.HashEnd);
        ClientRequest Read(ShardDescriptor routedTo) => new()
        {
            Get = new GetRequest
            {
                Route = new ShardRoute { ShardId = routedTo.ShardId, Epoch = routedTo.Epoch },
                Key = Google.Protobuf.ByteString.CopyFromUtf8(key),
                Consistency = ReadConsistency.Stale,
            },
        };

        // Its home silo answers from the member's state, as the replica grain would.
        var home = await viaSilo1.Grains.GetGrain<ISiloGrain>(member.SiloId).Serve(shard.ShardId, member.ReplicaId, Read(shard));
        Assert.Equal(ResponseStatus.NotFound, home.Status);

        // Another silo does not run that member: SHARD_NOT_FOUND, never data.
        var elsewhere = await viaSilo1.Grains.GetGrain<ISiloGrain>(wrong).Serve(shard.ShardId, member.ReplicaId, Read(shard));
        Assert.Equal(ResponseStatus.ShardNotFound, elsewhere.Status);

        // A request routed to another shard, and an operation a silo grain does not serve, are refused.
        var misrouted = await viaSilo1.Grains.GetGrain<ISiloGrain>(member.SiloId).Serve(shard.ShardId, member.ReplicaId, Read(other));
        Assert.Equal(ResponseStatus.BadRequest, misrouted.Status);
        var digest = await viaSilo1.Grains.GetGrain<ISiloGrain>(member.SiloId).Serve(shard.ShardId, member.ReplicaId,
            new ClientRequest { Digest = new DigestRequest { ShardId = shard.ShardId } });
        Assert.Equal(ResponseStatus.BadRequest, digest.Status);
    }
}
