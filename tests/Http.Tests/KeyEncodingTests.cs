using System.Net;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Http.Tests.HttpAssert;

namespace MultiRaft.Http.Tests;

/// <summary>A key path whose percent-encoding is broken is refused on every key route; valid escapes decode.</summary>
public sealed class KeyEncodingTests
{
    private const string Malformed = "the key's percent-encoding is malformed: a '%' must be followed by two hex digits";

    public static TheoryData<string, string> BrokenKeys => new()
    {
        { "PUT", "/kv/%zz" }, { "PUT", "/kv/a%4" }, { "PUT", "/kv/a%" },
        { "GET", "/kv/%zz" }, { "GET", "/kv/a%4" }, { "GET", "/kv/a%" },
        { "DELETE", "/kv/%zz" }, { "DELETE", "/kv/a%4" }, { "DELETE", "/kv/a%" },
        { "PUT", "/kv/users/%4/x" }, { "GET", "/kv/a%?consistency=stale" },
    };

    [Theory]
    [MemberData(nameof(BrokenKeys))]
    public async Task Broken_escape_gets_400_and_nothing_is_sent(string method, string path)
    {
        await using var host = await ApiHost.StartAsync();
        // What a lenient decoder would have made of each key, so that a delete of it would find something.
        host.Channel.Seed("%zz"u8.ToArray(), "v"u8.ToArray());
        host.Channel.Seed("a%4"u8.ToArray(), "v"u8.ToArray());
        host.Channel.Seed("a%"u8.ToArray(), "v"u8.ToArray());
        using var request = new HttpRequestMessage(new HttpMethod(method), host.Verbatim(path));
        if (method == "PUT")
        {
            request.Content = new ByteArrayContent("v"u8.ToArray());
        }

        using var response = await host.Http.SendAsync(request, Ct);

        await Error(response, HttpStatusCode.BadRequest, Malformed);
        Assert.Empty(host.Channel.Requests);
        Assert.Equal(1UL, host.Channel.Stored("%zz"u8.ToArray())!.Version);
    }

    [Theory]
    [InlineData("/kv/%2F", new byte[] { 0x2F })]
    [InlineData("/kv/%41", new byte[] { 0x41 })]
    [InlineData("/kv/a%2fb", new byte[] { 0x61, 0x2F, 0x62 })]
    [InlineData("/kv/100%25", new byte[] { 0x31, 0x30, 0x30, 0x25 })]
    public async Task Valid_escapes_decode_on_put_get_and_delete(string path, byte[] key)
    {
        await using var host = await ApiHost.StartAsync();

        using var put = await host.Http.PutAsync(host.Verbatim(path), new ByteArrayContent("v"u8.ToArray()), Ct);
        using var get = await host.Http.GetAsync(host.Verbatim(path), Ct);
        var stored = host.Channel.Stored(key);
        using var delete = await host.Http.DeleteAsync(host.Verbatim(path), Ct);

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("v", await get.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(1UL, stored!.Version);
        Assert.Null(host.Channel.Stored(key));
        var sent = host.Channel.DataRequests.Select(r => (r.OpCase == ClientRequest.OpOneofCase.Get ? r.Get.Key : r.Write.Key).ToByteArray());
        Assert.Equal(Enumerable.Repeat(Convert.ToHexString(key), 3), sent.Select(Convert.ToHexString));
    }

    // An absolute-form target does not start with "/kv/", so the key comes from the routed value.
    [Fact]
    public async Task Broken_escape_in_an_absolute_form_target_gets_400_and_nothing_is_sent()
    {
        await using var host = await ApiHost.StartAsync();
        using var proxied = host.ThroughProxy();
        var target = new Uri("http://kv.test/kv/a%4", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

        using var response = await proxied.PutAsync(target, new ByteArrayContent("v"u8.ToArray()), Ct);

        await Error(response, HttpStatusCode.BadRequest, Malformed);
        Assert.Empty(host.Channel.Requests);
    }

    [Fact]
    public async Task Absolute_form_target_with_a_plain_key_still_writes_it()
    {
        await using var host = await ApiHost.StartAsync();
        using var proxied = host.ThroughProxy();

        using var response = await proxied.PutAsync("http://kv.test/kv/users/7", new ByteArrayContent("v"u8.ToArray()), Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("users/7", Assert.Single(host.Channel.Writes).Key.ToStringUtf8());
    }
}
