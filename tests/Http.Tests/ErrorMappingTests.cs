using System.Net;
using System.Text.Json;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Http.Tests.HttpAssert;

namespace MultiRaft.Http.Tests;

/// <summary>The client's exceptions, as the grains' answers provoke them, become the documented statuses.</summary>
public sealed class ErrorMappingTests
{
    [Fact]
    public async Task No_quorum_gets_503_with_retry_after()
    {
        await using var host = await ApiHost.StartAsync(TimeSpan.FromMilliseconds(300));
        host.Channel.Override = r => r.OpCase == ClientRequest.OpOneofCase.Get
            ? new ClientResponse { Status = ResponseStatus.Unavailable, Error = "no quorum" }
            : null;

        using var response = await host.Http.GetAsync("/kv/k", Ct);

        await Error(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task Unknown_outcome_gets_504_with_applied_unknown()
    {
        await using var host = await ApiHost.StartAsync(TimeSpan.FromMilliseconds(300));
        host.Channel.Override = r => r.OpCase == ClientRequest.OpOneofCase.Write
            ? new ClientResponse { Status = ResponseStatus.OutcomeUnknown, Error = "deadline" }
            : null;

        using var response = await host.Http.PutAsync("/kv/k", new ByteArrayContent("v"u8.ToArray()), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("""{"error":"timeout","applied":"unknown"}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData(ResponseStatus.BadRequest, HttpStatusCode.BadRequest)]
    [InlineData(ResponseStatus.TooLarge, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Replica_refusals_keep_their_meaning(ResponseStatus status, HttpStatusCode expected)
    {
        await using var host = await ApiHost.StartAsync(TimeSpan.FromMilliseconds(300));
        host.Channel.Override = r => r.OpCase == ClientRequest.OpOneofCase.Write
            ? new ClientResponse { Status = status, Error = "refused by the cluster" }
            : null;

        using var response = await host.Http.PutAsync("/kv/k", new ByteArrayContent("v"u8.ToArray()), Ct);

        await Error(response, expected);
    }

    // ApiErrors maps ReplicaUnreachableException as it mapped the gateway's; the client retries a
    // grain call that came back without an answer until its deadline, then reports the outcome.
    [Fact]
    public async Task Unreachable_replica_on_a_read_gets_503_with_retry_after()
    {
        await using var host = await ApiHost.StartAsync(TimeSpan.FromMilliseconds(300));
        host.Channel.Override = r => r.OpCase == ClientRequest.OpOneofCase.Get
            ? throw new ReplicaUnreachableException("silo down")
            : null;

        using var response = await host.Http.GetAsync("/kv/k", Ct);

        await Error(response, HttpStatusCode.ServiceUnavailable, "get: no answer within the request timeout. Last error: silo down");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.NotEmpty(host.Channel.DataRequests);
        Assert.All(host.Channel.DataRequests, r => Assert.Equal(ClientRequest.OpOneofCase.Get, r.OpCase));
    }

    [Fact]
    public async Task Write_whose_replica_call_may_have_arrived_gets_504_with_applied_unknown()
    {
        await using var host = await ApiHost.StartAsync(TimeSpan.FromMilliseconds(300));
        host.Channel.Override = r => r.OpCase == ClientRequest.OpOneofCase.Write
            ? throw new ReplicaUnreachableException("call timed out") { MayHaveArrived = true }
            : null;

        using var response = await host.Http.PutAsync("/kv/k", new ByteArrayContent("v"u8.ToArray()), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("""{"error":"timeout","applied":"unknown"}""", await response.Content.ReadAsStringAsync(Ct));
        Assert.NotEmpty(host.Channel.Writes);
    }

    [Fact]
    public async Task Write_whose_replica_call_certainly_did_not_arrive_gets_503_with_retry_after()
    {
        await using var host = await ApiHost.StartAsync(TimeSpan.FromMilliseconds(300));
        host.Channel.Override = r => r.OpCase == ClientRequest.OpOneofCase.Write
            ? throw new ReplicaUnreachableException("placement refused") { MayHaveArrived = false }
            : null;

        using var response = await host.Http.PutAsync("/kv/k", new ByteArrayContent("v"u8.ToArray()), Ct);

        await Error(response, HttpStatusCode.ServiceUnavailable, "write: no answer within the request timeout. Last error: placement refused");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.NotEmpty(host.Channel.Writes);
        Assert.Null(host.Channel.Stored("k"u8.ToArray()));
    }

    [Fact]
    public async Task Unreachable_router_gets_503_for_the_cluster_view()
    {
        await using var host = await ApiHost.StartAsync(TimeSpan.FromMilliseconds(300));
        host.Channel.Override = r => r.OpCase == ClientRequest.OpOneofCase.Cluster
            ? throw new ReplicaUnreachableException("no silo answered")
            : null;

        using var response = await host.Http.GetAsync("/cluster", Ct);

        await Error(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.NotEmpty(host.Channel.Calls);
        Assert.All(host.Channel.Calls, c => Assert.Equal((null, ClientRequest.OpOneofCase.Cluster), (c.Target, c.Request.OpCase)));
    }

    [Fact]
    public async Task Unknown_route_is_not_answered_as_a_key()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.GetAsync("/nothing-here", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(host.Channel.Requests);
    }

    [Fact]
    public void Error_bodies_are_camel_case_json()
    {
        var json = JsonSerializer.Serialize(new ErrorBody("x", "unknown"), HttpJsonContext.Default.ErrorBody);

        Assert.Equal("""{"error":"x","applied":"unknown"}""", json);
    }
}
