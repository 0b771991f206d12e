using System.Text;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;
using Op = MultiRaft.Grains.Interfaces.Protos.ClientRequest.OpOneofCase;

namespace MultiRaft.Client.Tests;

// The client's routing against scripted gateways: leaders, epochs, retries, deadlines.
public sealed class RoutingTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("key-1");

    private static Task<ClientResponse> Answer(ResponseStatus status, Action<ClientResponse>? fill = null)
    {
        var response = new ClientResponse { Status = status };
        fill?.Invoke(response);
        return Task.FromResult(response);
    }

    [Fact]
    public async Task A_not_leader_answer_is_followed_at_once_to_the_hinted_gateway()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 3);
        cluster.Script = (silo, _, _) => silo == "silo-a"
            ? Answer(ResponseStatus.NotLeader, r => r.Leader = new LeaderHint { ShardId = 1, SiloId = "silo-c", Term = 2 })
            : Answer(ResponseStatus.Ok, r => { r.Value = ByteString.CopyFromUtf8("v"); r.Version = 7; });
        await using var client = cluster.NewClient();

        var entry = await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken);
        var again = await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(("v", 7ul), (Encoding.UTF8.GetString(entry!.Value.Span), entry.Version));
        Assert.NotNull(again);
        // The hint is remembered: the second read goes straight to silo-c.
        Assert.Equal(["silo-a", "silo-c", "silo-c"], cluster.Of(Op.Get).Select(r => r.Silo));
        Assert.All(cluster.Of(Op.Get), r => Assert.Equal(1ul, r.Request.Get.Route.ShardId));
    }

    [Fact]
    public async Task A_stale_epoch_answer_refreshes_the_view_and_retries_with_the_new_epoch()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = (_, request, _) =>
        {
            if (request.Get.Route.Epoch.RangeVer < 2)
            {
                cluster.View = cluster.BuildView(dataShards: 1, routerIndex: 2, rangeVer: 2);
                return Answer(ResponseStatus.StaleEpoch);
            }

            return Answer(ResponseStatus.Ok);
        };
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal([1ul, 2ul], cluster.Of(Op.Get).Select(r => r.Request.Get.Route.Epoch.RangeVer));
        Assert.Equal(2, cluster.ClusterRequests);
    }

    [Fact]
    public async Task A_descriptor_carried_by_a_stale_epoch_answer_is_used_even_if_the_view_lags()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        var newer = cluster.BuildView(dataShards: 1, routerIndex: 9, rangeVer: 5).Shards[1];
        cluster.Script = (_, request, _) => request.Get.Route.Epoch.RangeVer < 5
            ? Answer(ResponseStatus.StaleEpoch, r => r.Shard = newer)
            : Answer(ResponseStatus.Ok);
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal([1ul, 5ul], cluster.Of(Op.Get).Select(r => r.Request.Get.Route.Epoch.RangeVer));
    }

    [Fact]
    public async Task Unavailable_answers_are_retried_until_one_succeeds()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        var calls = 0;
        cluster.Script = (_, _, _) => Interlocked.Increment(ref calls) <= 2 ? Answer(ResponseStatus.Unavailable) : Answer(ResponseStatus.Ok);
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task An_unavailable_silo_is_left_for_another_replica()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 2);
        cluster.Script = (silo, _, _) => silo == "silo-a" ? Answer(ResponseStatus.Unavailable) : Answer(ResponseStatus.Ok);
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, ReadConsistency.Stale, TestContext.Current.CancellationToken));

        Assert.Equal(["silo-a", "silo-b"], cluster.Of(Op.Get).Select(r => r.Silo));
        Assert.Equal(Grains.Interfaces.Protos.ReadConsistency.Stale, cluster.Of(Op.Get)[0].Request.Get.Consistency);
    }

    [Fact]
    public async Task A_read_without_an_answer_by_the_deadline_is_unavailable()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = (_, _, _) => Answer(ResponseStatus.Unavailable);
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.True(cluster.Of(Op.Get).Count >= 2);
    }

    [Fact]
    public async Task A_gateway_that_never_answers_makes_a_read_unavailable_at_the_deadline()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new ClientResponse();
        };
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Not_found_and_precondition_answers_are_final()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = (_, request, _) => request.OpCase switch
        {
            Op.Get => Answer(ResponseStatus.NotFound),
            Op.Write when request.Write.Kind == WriteKind.Delete => Answer(ResponseStatus.NotFound),
            _ => Answer(ResponseStatus.PreconditionFailed, r => r.Version = 42),
        };
        await using var client = cluster.NewClient();
        var ct = TestContext.Current.CancellationToken;

        Assert.Null(await client.GetAsync(Key, cancellationToken: ct));
        Assert.False(await client.DeleteAsync(Key, cancellationToken: ct));
        var failed = await Assert.ThrowsAsync<PreconditionFailedException>(
            () => client.PutAsync(Key, Key, new WriteOptions { IfVersion = 3 }, ct));

        Assert.Equal(42ul, failed.CurrentVersion);
        var put = cluster.Of(Op.Write)[1].Request.Write;
        Assert.Equal((WriteCondition.IfVersion, 3ul), (put.Condition, put.ExpectedVersion));
        Assert.Equal(3, cluster.Requests.Count);
    }

    [Theory]
    [InlineData(ResponseStatus.BadRequest, typeof(BadRequestException))]
    [InlineData(ResponseStatus.TooLarge, typeof(BadRequestException))]
    [InlineData(ResponseStatus.UnknownSilo, typeof(NotFoundException))]
    public async Task Refusals_become_their_exceptions_without_retries(ResponseStatus status, Type expected)
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        cluster.Script = (_, _, _) => Answer(status, r => r.Error = "why");
        await using var client = cluster.NewClient();

        var error = await Assert.ThrowsAnyAsync<MultiRaftException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.IsType(expected, error);
        Assert.Contains("why", error.Message, StringComparison.Ordinal);
        Assert.Equal(status == ResponseStatus.TooLarge, (error as BadRequestException)?.IsTooLarge ?? false);
        Assert.Single(cluster.Requests);
    }

    [Fact]
    public async Task Transfer_leader_follows_not_leader_and_completes_on_ok()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 2);
        cluster.Script = (silo, _, _) => silo == "silo-a"
            ? Answer(ResponseStatus.NotLeader, r => r.Leader = new LeaderHint { ShardId = 1, SiloId = "silo-b", Term = 3 })
            : Answer(ResponseStatus.Ok);
        await using var client = cluster.NewClient();

        await client.TransferLeaderAsync(1, "silo-a", TestContext.Current.CancellationToken);

        var sent = cluster.Of(Op.TransferLeader);
        Assert.Equal(["silo-a", "silo-b"], sent.Select(r => r.Silo));
        Assert.All(sent, r => Assert.Equal((1ul, "silo-a"), (r.Request.TransferLeader.ShardId, r.Request.TransferLeader.ToSiloId)));
    }

    [Fact]
    public async Task Transfer_leader_of_an_unknown_shard_is_not_found()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 1);
        await using var client = cluster.NewClient();

        await Assert.ThrowsAsync<NotFoundException>(
            () => client.TransferLeaderAsync(99, "silo-a", TestContext.Current.CancellationToken));
        Assert.Empty(cluster.Requests);
    }

    [Fact]
    public async Task The_cluster_view_kept_is_the_freshest_seen()
    {
        await using var cluster = await FakeCluster.StartAsync(silos: 2);
        var fresh = cluster.BuildView(dataShards: 1, routerIndex: 10);
        var stale = cluster.BuildView(dataShards: 1, routerIndex: 4);
        cluster.ViewScript = silo => silo == "silo-a" ? fresh.Clone() : stale.Clone();
        await using var client = cluster.NewClient(o => o.Endpoints.Add(cluster.Gateways[1].Address));
        var ct = TestContext.Current.CancellationToken;

        // Endpoints are asked in turn: silo-a (fresh), then silo-b (stale, not taken).
        var first = await client.GetClusterAsync(ct);
        var second = await client.GetClusterAsync(ct);

        Assert.Equal(2, cluster.ClusterRequests);
        Assert.Equal([10ul, 10ul], new[] { first.RouterAppliedIndex, second.RouterAppliedIndex });
        Assert.Equal("silo-a", second.ServedBy);
    }
}
