using System.Net;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Http.Tests.HttpAssert;

namespace MultiRaft.Http.Tests;

public sealed class GetTests
{
    [Fact]
    public async Task Get_answers_200_with_the_value_bytes_and_the_version_etag()
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.Seed("other"u8.ToArray(), "x"u8.ToArray());
        var version = host.Channel.Seed("k"u8.ToArray(), [0x00, 0xFF, 0x41]);

        using var response = await host.Http.GetAsync("/kv/k", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"\"{version}\"", ETag(response));
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new byte[] { 0x00, 0xFF, 0x41 }, await response.Content.ReadAsByteArrayAsync(Ct));
        var get = Assert.Single(host.Channel.DataRequests).Get;
        Assert.Equal("k", get.Key.ToStringUtf8());
        Assert.Equal(Grains.Interfaces.Protos.ReadConsistency.Linearizable, get.Consistency);
    }

    [Fact]
    public async Task Absent_key_gets_404_json()
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.GetAsync("/kv/missing", Ct);

        await Error(response, HttpStatusCode.NotFound, "key not found");
    }

    [Theory]
    [InlineData("?consistency=stale", Grains.Interfaces.Protos.ReadConsistency.Stale)]
    [InlineData("?consistency=linearizable", Grains.Interfaces.Protos.ReadConsistency.Linearizable)]
    [InlineData("", Grains.Interfaces.Protos.ReadConsistency.Linearizable)]
    public async Task Consistency_parameter_maps_to_the_read_kind(string query, Grains.Interfaces.Protos.ReadConsistency expected)
    {
        await using var host = await ApiHost.StartAsync();
        host.Channel.Seed("k"u8.ToArray(), "v"u8.ToArray());

        using var response = await host.Http.GetAsync("/kv/k" + query, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, Assert.Single(host.Channel.DataRequests).Get.Consistency);
    }

    [Theory]
    [InlineData("/kv/k?consistency=eventual")]
    [InlineData("/kv/k?consistency=")]
    [InlineData("/kv/k?consistency=stale&consistency=stale")]
    [InlineData("/kv/seventeen-bytes!!")]
    public async Task Malformed_get_gets_400_and_nothing_is_sent(string path)
    {
        await using var host = await ApiHost.StartAsync();

        using var response = await host.Http.GetAsync(path, Ct);

        await Error(response, HttpStatusCode.BadRequest);
        Assert.Empty(host.Channel.Requests);
    }
}
