using System.Text;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client.Tests;

// A write whose connection broke after it was sent may have applied: it is retried, never re-sequenced.
public sealed class BrokenConnectionWriteTests
{
    [Fact]
    public async Task A_write_cut_off_after_sending_is_retried_with_the_same_session_and_sequence()
    {
        using var server = new RawGatewayServer();
        var view = new ClusterView { ClusterId = "test-cluster", RouterAppliedIndex = 1 };
        view.Silos.Add(new SiloInfo { SiloId = "raw", GatewayAddress = server.Address, Status = SiloStatus.Active });
        var shard = new ShardDescriptor { ShardId = 1, HashStart = 0, HashEnd = KeyHash.SpaceEnd, Epoch = new ShardEpoch { ConfVer = 1, RangeVer = 1 } };
        shard.Replicas.Add(new ReplicaDescriptor { ReplicaId = 1, SiloId = "raw", Role = ReplicaRole.Voter });
        view.Shards.Add(shard);
        var options = new MultiRaftClientOptions
        {
            InitialRetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(5), ConnectionsPerGateway = 1,
        };
        options.Endpoints.Add(server.Address);
        await using var client = new MultiRaftClient(options);
        var ct = TestContext.Current.CancellationToken;

        var put = client.PutAsync(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"), cancellationToken: ct);
        WriteRequest first;
        using (var connection = await server.AcceptAsync())
        {
            await connection.AcceptHelloAsync();
            var cluster = await connection.ReadRequestAsync();
            await connection.AnswerAsync(new ClientResponse { RequestId = cluster.RequestId, Cluster = view });
            var open = await connection.ReadRequestAsync();
            Assert.Equal(1ul, open.OpenSession.Route.ShardId);
            await connection.AnswerAsync(new ClientResponse { RequestId = open.RequestId, SessionId = 55 });
            first = (await connection.ReadRequestAsync()).Write;
        }

        using var again = await server.AcceptAsync();
        await again.AcceptHelloAsync();
        var retry = await again.ReadRequestAsync();
        await again.AnswerAsync(new ClientResponse { RequestId = retry.RequestId, Version = 12 });

        Assert.Equal(12ul, await put.WaitAsync(Timeouts.Guard, ct));
        Assert.Equal((55ul, 1ul), (first.SessionId, first.Sequence));
        Assert.Equal((55ul, 1ul), (retry.Write.SessionId, retry.Write.Sequence));
    }
}
