using System.Net;
using System.Text.Json;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Http.Tests.HttpAssert;

namespace MultiRaft.Http.Tests;

/// <summary>The client's exceptions, as a gateway provokes them, become the documented statuses.</summary>
public sealed class ErrorMappingTests
{
    [Fact]
    public async Task No_quorum_gets_503_with_retry_after()
    {
        await using var host = await ApiHost.StartAsync(TimeSpan.FromMilliseconds(300));
        host.Gateway.Override = r => r.OpCase == ClientRequest.OpOneofCase.Get
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
        host.Gateway.Override = r => r.OpCase == ClientRequest.OpOneofCase.Write
            ? new ClientResponse { Status = ResponseStatus.OutcomeUnknown, Error = "deadline" }
            : null;

        using var response = await host.Http.PutAsync("/kv/k", new ByteArrayContent("v"u8.ToArray()), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("""{"error":"timeout","applied":"unknown"}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData(ResponseStatus.BadRequest, HttpStatusCode.BadRequest)]
    [InlineData(ResponseStatus.TooLarge, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Gateway_refusals_keep_their_meaning(ResponseStatus status, HttpStatusCode expected)
    {
        await using var host = await ApiHost.StartAsync(TimeSpan.FromMilliseconds(300));
        host.Gateway.Override = r => r.OpCase == ClientRequest.OpOneofCase.Write
            ? new ClientResponse { Status = status, Error = "refused by the cluster" }
            : null;

        using var response = await host.Http.PutAsync("/kv/k", new ByteArrayContent("v"u8.ToArray()), Ct);

        await Error(response, expected);
    }

    [Fact]
    public async Task Unknown_route_is_not_answered_as_a_key()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.GetAsync("/nothing-here", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(host.Gateway.Requests);
    }

    [Fact]
    public void Error_bodies_are_camel_case_json()
    {
        var json = JsonSerializer.Serialize(new ErrorBody("x", "unknown"), HttpJsonContext.Default.ErrorBody);

        Assert.Equal("""{"error":"x","applied":"unknown"}""", json);
    }
}
