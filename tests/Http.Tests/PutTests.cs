using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Http.Tests.HttpAssert;

namespace MultiRaft.Http.Tests;

public sealed class PutTests
{
    [Fact]
    public async Task Put_writes_the_body_and_answers_204_with_the_new_version_as_etag()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.PutAsync("/kv/alpha", new ByteArrayContent("hello"u8.ToArray()), Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("\"1\"", ETag(response));
        var write = Assert.Single(host.Channel.Writes);
        Assert.Equal(WriteKind.Put, write.Kind);
        Assert.Equal("alpha", write.Key.ToStringUtf8());
        Assert.Equal("hello", write.Value.ToStringUtf8());
        Assert.Equal(WriteCondition.None, write.Condition);
        Assert.Equal(1UL, host.Channel.Stored("alpha"u8.ToArray())!.Version);
    }

    [Fact]
    public async Task Empty_body_writes_an_empty_value()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.PutAsync("/kv/empty", new ByteArrayContent([]), Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, Assert.Single(host.Channel.Writes).Value.Length);
    }

    [Fact]
    public async Task If_match_becomes_a_version_condition_and_applies_when_it_holds()
    {
        await using var host = await ApiHost.StartAsync();
        var version = host.Channel.Seed("k"u8.ToArray(), "v1"u8.ToArray());

        using var request = Put("/kv/k", "v2");
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        using var response = await host.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("\"2\"", ETag(response));
        var write = Assert.Single(host.Channel.Writes);
        Assert.Equal(WriteCondition.IfVersion, write.Condition);
        Assert.Equal(version, write.ExpectedVersion);
        Assert.Equal("v2", host.Channel.Stored("k"u8.ToArray())!.Value.ToStringUtf8());
    }

    [Fact]
    public async Task If_match_that_does_not_hold_gets_412_with_the_current_etag_and_writes_nothing()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.Seed("k"u8.ToArray(), "v1"u8.ToArray());

        using var request = Put("/kv/k", "v2");
        request.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
        using var response = await host.Http.SendAsync(request, Ct);

        await Error(response, HttpStatusCode.PreconditionFailed);
        Assert.Equal("\"1\"", ETag(response));
        Assert.Equal(7UL, Assert.Single(host.Channel.Writes).ExpectedVersion);
        Assert.Equal("v1", host.Channel.Stored("k"u8.ToArray())!.Value.ToStringUtf8());
    }

    [Fact]
    public async Task If_none_match_star_creates_once_then_gets_412()
    {
        await using var host = await ApiHost.StartAsync();

        using var first = Put("/kv/new", "a");
        first.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var created = await host.Http.SendAsync(first, Ct);
        using var second = Put("/kv/new", "b");
        second.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var refused = await host.Http.SendAsync(second, Ct);

        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);
        await Error(refused, HttpStatusCode.PreconditionFailed);
        Assert.Equal(ETag(created), ETag(refused));
        Assert.All(host.Channel.Writes, w => Assert.Equal(WriteCondition.IfAbsent, w.Condition));
        Assert.Equal("a", host.Channel.Stored("new"u8.ToArray())!.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Idempotency_key_makes_a_retried_put_apply_once()
    {
        await using var host = await ApiHost.StartAsync();

        using var first = Put("/kv/once", "x");
        first.Headers.Add("Idempotency-Key", "token-1");
        using var applied = await host.Http.SendAsync(first, Ct);
        using var retry = Put("/kv/once", "x");
        retry.Headers.Add("Idempotency-Key", "token-1");
        using var repeated = await host.Http.SendAsync(retry, Ct);

        Assert.Equal(HttpStatusCode.NoContent, applied.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, repeated.StatusCode);
        Assert.Equal("\"1\"", ETag(applied));
        Assert.Equal("\"1\"", ETag(repeated));
        var writes = host.Channel.Writes;
        Assert.Equal(2, writes.Count);
        Assert.NotEqual(0UL, writes[0].SessionId);
        Assert.Equal((writes[0].SessionId, writes[0].Sequence), (writes[1].SessionId, writes[1].Sequence));
        Assert.Equal(1UL, host.Channel.Stored("once"u8.ToArray())!.Version);
    }

    [Fact]
    public async Task Key_is_the_percent_decoded_path_as_bytes_slashes_included()
    {
        await using var host = await ApiHost.StartAsync();

        using var encoded = await host.Http.PutAsync("/kv/a%2Fb%FF%20", new ByteArrayContent("1"u8.ToArray()), Ct);
        using var nested = await host.Http.PutAsync("/kv/users/7", new ByteArrayContent("2"u8.ToArray()), Ct);

        Assert.Equal(HttpStatusCode.NoContent, encoded.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, nested.StatusCode);
        var writes = host.Channel.Writes;
        Assert.Equal(new byte[] { (byte)'a', (byte)'/', (byte)'b', 0xFF, (byte)' ' }, writes[0].Key.ToByteArray());
        Assert.Equal("users/7", writes[1].Key.ToStringUtf8());
    }

    [Fact]
    public async Task Value_at_the_maximum_is_accepted()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.PutAsync("/kv/big", new ByteArrayContent(new byte[64]), Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(64, Assert.Single(host.Channel.Writes).Value.Length);
    }

    [Fact]
    public async Task Value_over_the_maximum_gets_413_and_nothing_is_sent()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.PutAsync("/kv/big", new ByteArrayContent(new byte[65]), Ct);

        await Error(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(host.Channel.Requests);
    }

    [Fact]
    public async Task Chunked_value_over_the_maximum_gets_413_and_nothing_is_sent()
    {
        await using var host = await ApiHost.StartAsync();
        using var content = new StreamContent(new MemoryStream(new byte[10_000]));
        using var request = new HttpRequestMessage(HttpMethod.Put, "/kv/big") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await host.Http.SendAsync(request, Ct);

        await Error(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(host.Channel.Requests);
    }

    [Theory]
    [InlineData("/kv/", null, null)]
    [InlineData("/kv/seventeen-bytes!!", null, null)]
    [InlineData("/kv/k", "If-Match", "7")]
    [InlineData("/kv/k", "If-Match", "W/\"7\"")]
    [InlineData("/kv/k", "If-Match", "*")]
    [InlineData("/kv/k", "If-Match", "\"-1\"")]
    [InlineData("/kv/k", "If-None-Match", "\"3\"")]
    [InlineData("/kv/k", "Idempotency-Key", " ")]
    public async Task Malformed_put_gets_400_and_nothing_is_sent(string path, string? header, string? value)
    {
        await using var host = await ApiHost.StartAsync();
        using var request = Put(path, "v");
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await host.Http.SendAsync(request, Ct);

        await Error(response, HttpStatusCode.BadRequest);
        Assert.Empty(host.Channel.Requests);
    }

    [Fact]
    public async Task If_match_and_if_none_match_together_get_400()
    {
        await using var host = await ApiHost.StartAsync();
        using var request = Put("/kv/k", "v");
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        request.Headers.TryAddWithoutValidation("If-None-Match", "*");

        using var response = await host.Http.SendAsync(request, Ct);

        await Error(response, HttpStatusCode.BadRequest, "If-Match and If-None-Match cannot be combined");
        Assert.Empty(host.Channel.Requests);
    }

    [Fact]
    public async Task Key_of_exactly_the_maximum_is_accepted()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.PutAsync("/kv/sixteen-bytes!!!", new ByteArrayContent("v"u8.ToArray()), Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(16, Assert.Single(host.Channel.Writes).Key.Length);
    }

    internal static HttpRequestMessage Put(string path, string value) =>
        new(HttpMethod.Put, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(value)) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } } };
}
