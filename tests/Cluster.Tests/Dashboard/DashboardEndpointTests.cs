using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace MultiRaft.Cluster.Tests.Dashboard;

/// <summary>
/// The Orleans Dashboard at <c>/dashboard</c> on a real silo's HTTP port, served from the pipeline
/// the silo builds on the first request under the prefix: its page and assets (gzipped when asked),
/// its JSON API, a 404 for anything else under the prefix, and the store's routes beside it.
/// </summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class DashboardEndpointTests(ThreeSiloFixture fixture)
{
    [Fact]
    public async Task The_dashboard_serves_its_page_assets_and_api_beside_the_store()
    {
        // No automatic decompression: the test sees the encoding the silo chose.
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = fixture.Cluster.HttpBase(1), Timeout = TimeSpan.FromSeconds(30),
        };

        // Asked for by several requests at once: the pipeline is built once and serves all of them.
        var pages = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => http.GetAsync("dashboard")));
        foreach (var page in pages)
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        using var script = new HttpRequestMessage(HttpMethod.Get, "dashboard/index.min.js");
        script.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        var gzipped = await http.SendAsync(script);
        Assert.Equal(HttpStatusCode.OK, gzipped.StatusCode);
        Assert.Equal(["gzip"], gzipped.Content.Headers.ContentEncoding);
        var plain = await http.GetAsync("dashboard/index.min.js");
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        await using (var unzipped = new GZipStream(await gzipped.Content.ReadAsStreamAsync(), CompressionMode.Decompress))
        using (var copy = new MemoryStream())
        {
            await unzipped.CopyToAsync(copy);
            Assert.Equal(await plain.Content.ReadAsByteArrayAsync(), copy.ToArray());
        }

        var version = JsonNode.Parse(await http.GetStringAsync("dashboard/version"));
        Assert.False(string.IsNullOrEmpty(version?["version"]?.GetValue<string>()));
        var counters = await http.GetAsync("dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        Assert.Equal("application/json", counters.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("dashboard/no-such-asset")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("dashboard/img/no-such-image.png")).StatusCode);

        // The store's own routes are untouched, including a key named like the prefix.
        Assert.Equal(HttpStatusCode.NoContent, (await http.PutAsync("kv/dashboard", new ByteArrayContent("v"u8.ToArray()))).StatusCode);
        Assert.Equal("v", await http.GetStringAsync("kv/dashboard"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("metrics")).StatusCode);
    }
}
