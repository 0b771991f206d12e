using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using static MultiRaft.Http.Tests.HttpAssert;

namespace MultiRaft.Http.Tests;

public sealed class ScanTests
{
    [Fact]
    public async Task Scan_merges_both_shards_in_key_order_with_prefix_and_limit()
    {
        await using var host = await ApiHost.StartAsync();
        foreach (var k in new[] { "b3", "a1", "b1", "c1", "b2", "b4" })
        {
            host.Channel.Seed(Encoding.UTF8.GetBytes(k), Encoding.UTF8.GetBytes("v-" + k));
        }

        using var response = await host.Http.GetAsync("/kv?prefix=b&limit=3", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """[{"key":"b1","value":"v-b1","version":3},{"key":"b2","value":"v-b2","version":5},{"key":"b3","value":"v-b3","version":1}]""",
            await response.Content.ReadAsStringAsync(Ct));
        var shards = host.Channel.DataRequests.Select(r => r.Scan.Route.ShardId).Distinct().Order().ToArray();
        Assert.Equal(new ulong[] { 1, 2 }, shards);
    }

    [Fact]
    public async Task Start_after_continues_past_the_given_key()
    {
        await using var host = await ApiHost.StartAsync();
        foreach (var k in new[] { "b1", "b2", "b3" })
        {
            host.Channel.Seed(Encoding.UTF8.GetBytes(k), "v"u8.ToArray());
        }

        using var response = await host.Http.GetAsync("/kv?prefix=b&start_after=b1", Ct);

        Assert.Equal(new[] { "b2", "b3" }, Keys(await response.Content.ReadAsStringAsync(Ct)));
        Assert.All(host.Channel.DataRequests, r => Assert.Equal("b1", r.Scan.StartAfter.ToStringUtf8()));
    }

    [Fact]
    public async Task Limit_defaults_to_100()
    {
        await using var host = await ApiHost.StartAsync();
        for (var i = 0; i < 120; i++)
        {
            host.Channel.Seed(Encoding.UTF8.GetBytes("k" + i.ToString("D3", CultureInfo.InvariantCulture)), "v"u8.ToArray());
        }

        using var response = await host.Http.GetAsync("/kv", Ct);

        var keys = Keys(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(100, keys.Length);
        Assert.Equal("k000", keys[0]);
        Assert.Equal("k099", keys[^1]);
    }

    [Fact]
    public async Task Item_that_is_not_utf8_is_base64_in_both_fields()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.Seed("bin"u8.ToArray(), [0xFF, 0x00]);
        host.Channel.Seed("text"u8.ToArray(), "é"u8.ToArray());

        using var response = await host.Http.GetAsync("/kv", Ct);

        Assert.Equal(
            """[{"key":"Ymlu","value":"/wA=","version":1,"encoding":"base64"},{"key":"text","value":"\u00E9","version":2}]""",
            await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("/kv?limit=0")]
    [InlineData("/kv?limit=10001")]
    [InlineData("/kv?limit=ten")]
    [InlineData("/kv?limit=-1")]
    [InlineData("/kv?consistency=weak")]
    [InlineData("/kv?prefix=seventeen-bytes!!")]
    public async Task Malformed_scan_gets_400_and_nothing_is_sent(string path)
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.GetAsync(path, Ct);

        await Error(response, HttpStatusCode.BadRequest);
        Assert.Empty(host.Channel.Requests);
    }

    [Fact]
    public async Task Limit_of_10000_is_accepted()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.GetAsync("/kv?limit=10000", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync(Ct));
    }

    private static string[] Keys(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(e => e.GetProperty("key").GetString()!)];
    }
}
