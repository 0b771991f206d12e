using System.Text;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Client.Tests.Scripts;
using Op = MultiRaft.Grains.Interfaces.Protos.ClientRequest.OpOneofCase;

namespace MultiRaft.Client.Tests;

// The client's routing against scripted replica grains: leaders, epochs, retries, deadlines.
public sealed class RoutingTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("key-1");

    [Fact]
    public async Task A_not_leader_answer_is_followed_at_once_to_the_hinted_silo_and_remembered()
    {
        var cluster = new FakeCluster(silos: 3);
        cluster.Script = OnSilo("silo-a",
            Reply(ResponseStatus.NotLeader, r => r.Leader = new LeaderHint { ShardId = 1, ReplicaId = 13, SiloId = "silo-c", Term = 2 }),
            Reply(ResponseStatus.Ok, r => { r.Value = ByteString.CopyFromUtf8("v"); r.Version = 7; }));
        await using var client = cluster.NewClient();

        var entry = await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken);
        var again = await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(("v", 7ul), (Encoding.UTF8.GetString(entry!.Value.Span), entry.Version));
        Assert.NotNull(again);
        // The hint is remembered: the second read goes straight to silo-c.
        Assert.Equal(["silo-a", "silo-c", "silo-c"], cluster.Of(Op.Get).Select(r => r.Target.SiloId));
        Assert.All(cluster.Of(Op.Get), r => Assert.Equal(1ul, r.Request.Get.Route.ShardId));
    }

    [Fact]
    public async Task The_client_calls_the_replica_grain_of_the_leader_the_hint_names()
    {
        // Two data shards, so a replica id also says which shard's grain was called; the view
        // names silo-b as shard 2's leader, which is not the first replica.
        var cluster = new FakeCluster(silos: 3, dataShards: 2);
        var leader = cluster.View.Leaders.Single(l => l.ShardId == 2);
        leader.ReplicaId = 22;
        leader.SiloId = "silo-b";
        var key = KeyOfShard(cluster.View, 2);
        cluster.Script = OnSilo("silo-b",
            Reply(ResponseStatus.NotLeader, r => r.Leader = new LeaderHint { ShardId = 2, ReplicaId = 23, SiloId = "silo-c", Term = 2 }),
            Reply(ResponseStatus.Ok, r => r.Version = 4));
        await using var client = cluster.NewClient();

        Assert.Equal(4ul, await client.PutAsync(key, key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(
            [(Op.OpenSession, new ReplicaAddress(2, 22, "silo-b")), (Op.Write, new ReplicaAddress(2, 22, "silo-b")),
                (Op.Write, new ReplicaAddress(2, 23, "silo-c"))],
            cluster.Sent.Select(s => (s.Request.OpCase, s.Target)));
        Assert.All(cluster.Of(Op.Write), w => Assert.Equal((100ul, 1ul), (w.Request.Write.SessionId, w.Request.Write.Sequence)));
    }

    [Fact]
    public async Task A_hint_naming_a_silo_missing_from_the_view_refreshes_the_view_and_goes_there()
    {
        var cluster = new FakeCluster(silos: 4);
        cluster.View = cluster.BuildView(dataShards: 1, routerIndex: 1, silos: 3);
        cluster.Script = (target, request, ct) =>
        {
            if (target.SiloId != "silo-a")
            {
                return Answer(ResponseStatus.Ok);
            }

            // silo-d joined and took the lead; the router's view has it by now.
            cluster.View = cluster.BuildView(dataShards: 1, routerIndex: 2);
            return Answer(ResponseStatus.NotLeader, r => r.Leader = new LeaderHint { ShardId = 1, ReplicaId = 14, SiloId = "silo-d", Term = 2 });
        };
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal([new ReplicaAddress(1, 11, "silo-a"), new ReplicaAddress(1, 14, "silo-d")], cluster.Of(Op.Get).Select(r => r.Target));
        Assert.Equal(2, cluster.ViewRequests);
    }

    [Fact]
    public async Task A_stale_epoch_answer_refreshes_the_view_and_retries_with_the_new_epoch()
    {
        var cluster = new FakeCluster(silos: 1);
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
        Assert.Equal(2, cluster.ViewRequests);
    }

    [Fact]
    public async Task A_descriptor_carried_by_a_stale_epoch_answer_is_used_even_if_the_view_lags()
    {
        var cluster = new FakeCluster(silos: 1);
        var newer = cluster.BuildView(dataShards: 1, routerIndex: 9, rangeVer: 5).Shards[1];
        cluster.Script = (_, request, _) => request.Get.Route.Epoch.RangeVer < 5
            ? Answer(ResponseStatus.StaleEpoch, r => r.Shard = newer)
            : Answer(ResponseStatus.Ok);
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal([1ul, 5ul], cluster.Of(Op.Get).Select(r => r.Request.Get.Route.Epoch.RangeVer));
    }

    [Fact]
    public async Task A_shard_not_found_answer_leaves_that_replica_and_refreshes_the_view()
    {
        var cluster = new FakeCluster(silos: 2);
        // The shard moved off silo-a: the router's view lists it on silo-b only, at conf_ver 2.
        var moved = cluster.BuildView(dataShards: 1, routerIndex: 2);
        moved.Shards[1].Replicas.RemoveAt(0);
        moved.Shards[1].Epoch.ConfVer = 2;
        moved.Leaders[1].ReplicaId = 12;
        moved.Leaders[1].SiloId = "silo-b";
        cluster.Script = (target, _, _) =>
        {
            if (target.SiloId == "silo-a")
            {
                cluster.View = moved;
                return Answer(ResponseStatus.ShardNotFound);
            }

            return Answer(ResponseStatus.Ok);
        };
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal([new ReplicaAddress(1, 11, "silo-a"), new ReplicaAddress(1, 12, "silo-b")], cluster.Of(Op.Get).Select(r => r.Target));
        Assert.Equal([1ul, 2ul], cluster.Of(Op.Get).Select(r => r.Request.Get.Route.Epoch.ConfVer));
        Assert.Equal(2, cluster.ViewRequests);
    }

    [Fact]
    public async Task A_key_in_a_gap_of_the_view_refreshes_the_view_until_a_shard_owns_it()
    {
        var cluster = new FakeCluster(silos: 1, dataShards: 2);
        var full = cluster.BuildView(dataShards: 2, routerIndex: 2);
        var owner = full.Shards.Single(s => s.ShardId != 0 && Owns(s, Key));
        var gapped = full.Clone();
        gapped.RouterAppliedIndex = 1;
        gapped.Shards.Remove(gapped.Shards.Single(s => s.ShardId == owner.ShardId));
        cluster.ViewScript = n => FakeCluster.ViewAnswer(n == 1 ? gapped : full);
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal([owner.ShardId], cluster.Of(Op.Get).Select(r => r.Request.Get.Route.ShardId));
        Assert.Equal(2, cluster.ViewRequests);
    }

    [Fact]
    public async Task A_view_request_that_fails_is_retried_until_the_router_answers()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.ViewScript = n => n switch
        {
            1 => throw new ReplicaUnreachableException("no silo answered (scripted)"),
            2 => new ClientResponse { Status = ResponseStatus.Unavailable, Error = "router not ready" },
            _ => FakeCluster.ViewAnswer(cluster.View),
        };
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(3, cluster.ViewRequests);
        Assert.Single(cluster.Of(Op.Get));
    }

    [Fact]
    public async Task Unavailable_answers_are_retried_until_one_succeeds()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Reply(ResponseStatus.Unavailable), Reply(ResponseStatus.Unavailable), Reply(ResponseStatus.Ok));
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(3, cluster.Of(Op.Get).Count);
    }

    [Fact]
    public async Task An_unavailable_silo_is_left_for_another_replica()
    {
        var cluster = new FakeCluster(silos: 2);
        cluster.Script = OnSilo("silo-a", Reply(ResponseStatus.Unavailable), Reply(ResponseStatus.Ok));
        await using var client = cluster.NewClient();

        Assert.NotNull(await client.GetAsync(Key, ReadConsistency.Stale, TestContext.Current.CancellationToken));

        Assert.Equal(["silo-a", "silo-b"], cluster.Of(Op.Get).Select(r => r.Target.SiloId));
        Assert.Equal(Grains.Interfaces.Protos.ReadConsistency.Stale, cluster.Of(Op.Get)[0].Request.Get.Consistency);
    }

    [Fact]
    public async Task A_read_without_an_answer_by_the_deadline_is_unavailable_after_retrying_within_it()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = InTurn(Reply(ResponseStatus.Unavailable), Reply(ResponseStatus.Unavailable), ReplyAtDeadline(ResponseStatus.Unavailable));
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(3, cluster.Of(Op.Get).Count);
        // Each attempt tells the grain how much of the call's budget is left.
        Assert.All(cluster.Of(Op.Get), r => Assert.InRange(r.Request.TimeoutMs, 1u, (uint)DeadlineTests.Budget.TotalMilliseconds));
    }

    [Fact]
    public async Task A_replica_that_never_answers_makes_a_read_unavailable_at_the_deadline()
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = NeverAnswer;
        await using var client = cluster.NewClient(o => o.RequestTimeout = DeadlineTests.Budget);

        await Assert.ThrowsAsync<UnavailableException>(
            () => client.GetAsync(Key, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Single(cluster.Of(Op.Get));
    }

    [Fact]
    public async Task Not_found_and_precondition_answers_are_final()
    {
        var cluster = new FakeCluster(silos: 1);
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
        Assert.Equal((1, 2), (cluster.Of(Op.Get).Count, cluster.Of(Op.Write).Count));
    }

    [Theory]
    [InlineData(ResponseStatus.BadRequest, typeof(BadRequestException))]
    [InlineData(ResponseStatus.TooLarge, typeof(BadRequestException))]
    [InlineData(ResponseStatus.UnknownSilo, typeof(NotFoundException))]
    public async Task Refusals_become_their_exceptions_without_retries(ResponseStatus status, Type expected)
    {
        var cluster = new FakeCluster(silos: 1);
        cluster.Script = Reply(status, r => r.Error = "why");
        await using var client = cluster.NewClient();

        var error = await Assert.ThrowsAnyAsync<MultiRaftException>(
            () => client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.IsType(expected, error);
        Assert.Contains("why", error.Message, StringComparison.Ordinal);
        Assert.Equal(status == ResponseStatus.TooLarge, (error as BadRequestException)?.IsTooLarge ?? false);
        Assert.Single(cluster.Of(Op.Write));
    }

    [Fact]
    public async Task Transfer_leader_follows_not_leader_and_completes_on_ok()
    {
        var cluster = new FakeCluster(silos: 2);
        cluster.Script = OnSilo("silo-a",
            Reply(ResponseStatus.NotLeader, r => r.Leader = new LeaderHint { ShardId = 1, ReplicaId = 12, SiloId = "silo-b", Term = 3 }),
            Reply(ResponseStatus.Ok));
        await using var client = cluster.NewClient();

        await client.TransferLeaderAsync(1, "silo-a", TestContext.Current.CancellationToken);

        var sent = cluster.Of(Op.TransferLeader);
        Assert.Equal([new ReplicaAddress(1, 11, "silo-a"), new ReplicaAddress(1, 12, "silo-b")], sent.Select(r => r.Target));
        Assert.All(sent, r => Assert.Equal((1ul, "silo-a"), (r.Request.TransferLeader.ShardId, r.Request.TransferLeader.ToSiloId)));
    }

    [Fact]
    public async Task Transfer_leader_of_an_unknown_shard_is_not_found_after_one_refresh()
    {
        var cluster = new FakeCluster(silos: 1);
        await using var client = cluster.NewClient();

        await Assert.ThrowsAsync<NotFoundException>(
            () => client.TransferLeaderAsync(99, "silo-a", TestContext.Current.CancellationToken));
        Assert.Empty(cluster.Sent);
        Assert.Equal(2, cluster.ViewRequests);
    }

    [Fact]
    public async Task The_cluster_view_kept_is_the_freshest_seen()
    {
        var cluster = new FakeCluster(silos: 2);
        var fresh = cluster.BuildView(dataShards: 1, routerIndex: 10);
        var stale = cluster.BuildView(dataShards: 1, routerIndex: 4);
        stale.ServedBy = "silo-b";
        // Orleans may route the second request to a silo whose router replica lags.
        cluster.ViewScript = n => FakeCluster.ViewAnswer(n == 1 ? fresh : stale);
        await using var client = cluster.NewClient();
        var ct = TestContext.Current.CancellationToken;

        var first = await client.GetClusterAsync(ct);
        var second = await client.GetClusterAsync(ct);

        Assert.Equal(2, cluster.ViewRequests);
        Assert.Equal([10ul, 10ul], new[] { first.RouterAppliedIndex, second.RouterAppliedIndex });
        Assert.Equal("silo-a", second.ServedBy);
    }

    private static bool Owns(ShardDescriptor shard, byte[] key) =>
        Grains.Interfaces.KeyHash.Of(key) >= shard.HashStart && Grains.Interfaces.KeyHash.Of(key) < shard.HashEnd;

    private static byte[] KeyOfShard(ClusterView view, ulong shardId)
    {
        var shard = view.Shards.Single(s => s.ShardId == shardId);
        return Enumerable.Range(0, 1000).Select(i => Encoding.UTF8.GetBytes($"key-{i}")).First(k => Owns(shard, k));
    }
}
