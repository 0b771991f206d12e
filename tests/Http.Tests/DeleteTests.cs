using System.Net;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Http.Tests.HttpAssert;

namespace MultiRaft.Http.Tests;

public sealed class DeleteTests
{
    [Fact]
    public async Task Delete_of_a_present_key_answers_204_and_removes_it()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.Seed("k"u8.ToArray(), "v"u8.ToArray());

        using var response = await host.Http.DeleteAsync("/kv/k", Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var write = Assert.Single(host.Channel.Writes);
        Assert.Equal(WriteKind.Delete, write.Kind);
        Assert.Equal(WriteCondition.None, write.Condition);
        Assert.Null(host.Channel.Stored("k"u8.ToArray()));
    }

    [Fact]
    public async Task Delete_of_an_absent_key_gets_404()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.DeleteAsync("/kv/missing", Ct);

        await Error(response, HttpStatusCode.NotFound, "key not found");
    }

    [Fact]
    public async Task Delete_with_a_matching_if_match_applies()
    {
        await using var host = await ApiHost.StartAsync();
        var version = host.Channel.Seed("k"u8.ToArray(), "v"u8.ToArray());
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/kv/k");
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");

        using var response = await host.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var write = Assert.Single(host.Channel.Writes);
        Assert.Equal(WriteCondition.IfVersion, write.Condition);
        Assert.Equal(version, write.ExpectedVersion);
        Assert.Null(host.Channel.Stored("k"u8.ToArray()));
    }

    [Fact]
    public async Task Delete_with_a_failing_if_match_gets_412_and_keeps_the_key()
    {
        await using var host = await ApiHost.StartAsync();
        var version = host.Channel.Seed("k"u8.ToArray(), "v"u8.ToArray());
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/kv/k");
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{version + 5}\"");

        using var response = await host.Http.SendAsync(request, Ct);

        await Error(response, HttpStatusCode.PreconditionFailed);
        Assert.Equal($"\"{version}\"", ETag(response));
        Assert.NotNull(host.Channel.Stored("k"u8.ToArray()));
    }

    [Fact]
    public async Task Delete_with_an_idempotency_key_carries_a_session()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.Seed("k"u8.ToArray(), "v"u8.ToArray());
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/kv/k");
        request.Headers.Add("Idempotency-Key", "del-1");

        using var response = await host.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.NotEqual(0UL, Assert.Single(host.Channel.Writes).SessionId);
    }

    [Theory]
    [InlineData("/kv/k", "If-None-Match", "*")]
    [InlineData("/kv/k", "If-Match", "nope")]
    [InlineData("/kv/", null, null)]
    public async Task Malformed_delete_gets_400_and_nothing_is_sent(string path, string? header, string? value)
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.Seed("k"u8.ToArray(), "v"u8.ToArray());
        using var request = new HttpRequestMessage(HttpMethod.Delete, path);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await host.Http.SendAsync(request, Ct);

        await Error(response, HttpStatusCode.BadRequest);
        Assert.Empty(host.Channel.Requests);
        Assert.NotNull(host.Channel.Stored("k"u8.ToArray()));
    }
}
