using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Testing;
using static MultiRaft.Http.Tests.HttpAssert;

namespace MultiRaft.Http.Tests;

public sealed class ClusterTests
{
    [Fact]
    public async Task Cluster_shows_silos_and_shards_with_leaders()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.GetAsync("/cluster", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = doc.RootElement;
        Assert.Equal("test", root.GetProperty("clusterId").GetString());
        Assert.Equal(42UL, root.GetProperty("routerAppliedIndex").GetUInt64());
        Assert.Equal(0, root.GetProperty("movesInProgress").GetInt32());
        var silo = root.GetProperty("silos")[0];
        Assert.Equal(
            """{"id":"silo-1","siloAddress":"127.0.0.1:11111","gatewayAddress":"127.0.0.1:30001","httpAddress":"127.0.0.1:8081","status":"active","lastHeartbeatMs":1700000000000,"lastHeartbeat":"2023-11-14T22:13:20.000Z","joinedMs":1699999000000,"replicas":2,"leaders":1}""",
            silo.GetRawText());
        var shard = root.GetProperty("shards")[1];
        Assert.Equal(
            """{"id":2,"hashStart":2147483648,"hashEnd":4294967296,"confVer":2,"rangeVer":1,"replicas":[{"id":21,"silo":"silo-1","role":"voter"},{"id":22,"silo":"silo-2","role":"voter"}],"leaderReplica":22,"leaderSilo":"silo-2","term":5,"commitIndex":200,"appliedIndex":200,"preferredLeader":null,"leaderPinned":false,"moving":null}""",
            shard.GetRawText());
    }

    [Fact]
    public async Task Transfer_leader_moves_the_shard_and_answers_200()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.PostAsync("/cluster/shards/2/transfer-leader", Json("""{"to":"silo-1"}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"shard":2,"leader":"silo-1"}""", await response.Content.ReadAsStringAsync(Ct));
        var call = Assert.Single(host.Channel.Calls, c => c.Request.OpCase == ClientRequest.OpOneofCase.TransferLeader);
        Assert.Equal(2UL, call.Request.TransferLeader.ShardId);
        Assert.Equal(ScriptedChannel.Silo1, call.Request.TransferLeader.ToSiloId);
        // Sent to the grain of the shard's current leader (replica 22 on silo-2), which hands leadership over.
        Assert.Equal(new ReplicaAddress(2, 22, ScriptedChannel.Silo2), call.Target);
    }

    [Theory]
    [InlineData("/cluster/shards/9/transfer-leader", """{"to":"silo-1"}""")]
    [InlineData("/cluster/shards/x/transfer-leader", """{"to":"silo-1"}""")]
    [InlineData("/cluster/shards/2/transfer-leader", """{"to":"silo-9"}""")]
    public async Task Transfer_to_an_unknown_shard_or_silo_gets_404(string path, string body)
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.PostAsync(path, Json(body), Ct);

        await Error(response, HttpStatusCode.NotFound);
        Assert.DoesNotContain(host.Channel.Requests, r => r.OpCase == ClientRequest.OpOneofCase.TransferLeader);
    }

    [Fact]
    public async Task Transfer_refused_by_the_replica_as_unknown_gets_404()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.Override = r => r.OpCase == ClientRequest.OpOneofCase.TransferLeader
            ? new ClientResponse { Status = ResponseStatus.UnknownSilo, Error = "silo-1 has no replica" }
            : null;

        using var response = await host.Http.PostAsync("/cluster/shards/2/transfer-leader", Json("""{"to":"silo-1"}"""), Ct);

        await Error(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"to":""}""")]
    [InlineData("not json")]
    public async Task Transfer_with_a_malformed_body_gets_400(string body)
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.PostAsync("/cluster/shards/2/transfer-leader", Json(body), Ct);

        await Error(response, HttpStatusCode.BadRequest);
        Assert.Empty(host.Channel.Requests);
    }

    [Fact]
    public async Task Transfer_refused_by_the_leader_answers_409_with_its_reason()
    {
        await using var host = await ApiHost.StartAsync();
        const string reason = "transfer refused: replica 21 of shard 2 on silo silo-1 is not a voter (a learner still catching up)";
        host.Channel.Override = r => r.OpCase == ClientRequest.OpOneofCase.TransferLeader
            ? new ClientResponse { Status = ResponseStatus.PreconditionFailed, Error = reason }
            : null;

        using var response = await host.Http.PostAsync("/cluster/shards/2/transfer-leader", Json("{\"to\":\"silo-1\"}"), Ct);

        await Error(response, HttpStatusCode.Conflict, reason);
    }

    [Fact]
    public async Task Drain_of_a_known_silo_asks_the_meta_shard_and_answers_202_with_the_replicas_left()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.ScriptScaleIn();

        using var drain = await host.Http.PostAsync("/cluster/silos/silo-2/drain", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, drain.StatusCode);
        using var body = JsonDocument.Parse(await drain.Content.ReadAsStringAsync(Ct));
        Assert.Equal("silo-2", body.RootElement.GetProperty("silo").GetString());
        Assert.Equal("draining", body.RootElement.GetProperty("status").GetString());
        // silo-2 holds a replica of each of the two data shards; its meta replica does not count.
        Assert.Equal(2, body.RootElement.GetProperty("replicasLeft").GetInt32());
        Assert.Equal((0UL, "silo-2", false), host.Channel.ScaleInCall());
    }

    [Fact]
    public async Task Drain_refused_by_the_router_answers_409_with_its_reason()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.ScriptScaleIn("drain refused: draining it would leave fewer active silos than a shard has voters");

        using var drain = await host.Http.PostAsync("/cluster/silos/silo-2/drain", null, Ct);

        await Error(drain, HttpStatusCode.Conflict, "drain refused: draining it would leave fewer active silos than a shard has voters");
    }

    [Fact]
    public async Task Undrain_answers_200_with_the_silo_active()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.ScriptScaleIn();

        using var undrain = await host.Http.DeleteAsync("/cluster/silos/silo-2/drain", Ct);

        Assert.Equal(HttpStatusCode.OK, undrain.StatusCode);
        Assert.Equal("""{"silo":"silo-2","status":"active"}""", await undrain.Content.ReadAsStringAsync(Ct));
        var call = Assert.Single(host.Channel.Calls, c => c.Request.OpCase == ClientRequest.OpOneofCase.ScaleIn);
        Assert.Equal(("silo-2", false, true), (call.Request.ScaleIn.SiloId, call.Request.ScaleIn.Remove, call.Request.ScaleIn.Undrain));
    }

    [Fact]
    public async Task Remove_of_a_drained_silo_answers_204()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.ScriptScaleIn();

        using var remove = await host.Http.DeleteAsync("/cluster/silos/silo-2", Ct);

        Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        Assert.Equal((0UL, "silo-2", true), host.Channel.ScaleInCall());
    }

    [Fact]
    public async Task Remove_of_a_silo_not_drained_answers_409()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.ScriptScaleIn("remove refused: the silo is not drained: drain it first");

        using var remove = await host.Http.DeleteAsync("/cluster/silos/silo-2", Ct);

        await Error(remove, HttpStatusCode.Conflict, "remove refused: the silo is not drained: drain it first");
    }

    [Fact]
    public async Task Drain_and_remove_of_an_unknown_silo_get_404()
    {
        await using var host = await ApiHost.StartAsync();

        using var drain = await host.Http.PostAsync("/cluster/silos/silo-9/drain", null, Ct);
        using var remove = await host.Http.DeleteAsync("/cluster/silos/silo-9", Ct);

        await Error(drain, HttpStatusCode.NotFound, "no such silo: silo-9");
        await Error(remove, HttpStatusCode.NotFound, "no such silo: silo-9");
    }

    [Theory]
    [InlineData("", 3221225472UL)]
    [InlineData("{}", 3221225472UL)]
    [InlineData("""{"at":3000000000}""", 3000000000UL)]
    public async Task Split_asks_the_meta_shard_and_answers_202_with_both_shards(string body, ulong at)
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.ScriptSplit();

        using var response = await host.Http.PostAsync("/cluster/shards/2/split", Json(body), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var kept = doc.RootElement.GetProperty("shard");
        var added = doc.RootElement.GetProperty("newShard");
        Assert.Equal((2UL, 2147483648UL, at), (kept.GetProperty("id").GetUInt64(), kept.GetProperty("hashStart").GetUInt64(), kept.GetProperty("hashEnd").GetUInt64()));
        Assert.Equal((3UL, at, 4294967296UL), (added.GetProperty("id").GetUInt64(), added.GetProperty("hashStart").GetUInt64(), added.GetProperty("hashEnd").GetUInt64()));
        var call = Assert.Single(host.Channel.Calls, c => c.Request.OpCase == ClientRequest.OpOneofCase.SplitShard);
        Assert.Equal(0UL, call.Target!.Value.ShardId);
        Assert.Equal((2UL, body.Contains("at", StringComparison.Ordinal) ? at : 0UL), (call.Request.SplitShard.ShardId, call.Request.SplitShard.SplitHash));
    }

    [Theory]
    [InlineData("/cluster/shards/9/split")]
    [InlineData("/cluster/shards/0/split")]
    [InlineData("/cluster/shards/x/split")]
    public async Task Split_of_an_unknown_shard_gets_404(string path)
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.ScriptSplit();

        using var response = await host.Http.PostAsync(path, null, Ct);

        await Error(response, HttpStatusCode.NotFound);
        Assert.DoesNotContain(host.Channel.Requests, r => r.OpCase == ClientRequest.OpOneofCase.SplitShard);
    }

    [Fact]
    public async Task Split_refused_by_the_router_answers_409_and_a_malformed_body_400()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.ScriptSplit("split refused: the split hash is not strictly inside the shard's range");

        using var refused = await host.Http.PostAsync("/cluster/shards/2/split", Json("""{"at":5}"""), Ct);
        using var malformed = await host.Http.PostAsync("/cluster/shards/2/split", Json("""{"at":"middle"}"""), Ct);

        await Error(refused, HttpStatusCode.Conflict, "split refused: the split hash is not strictly inside the shard's range");
        await Error(malformed, HttpStatusCode.BadRequest);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
