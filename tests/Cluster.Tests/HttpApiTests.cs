using System.Net;
using System.Net.Http.Headers;

namespace MultiRaft.Cluster.Tests;

/// <summary>The HTTP API of every silo against the real cluster: any silo serves any key; bad input writes nothing.</summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class HttpApiTests(ThreeSiloFixture fixture)
{
    private static HttpClient Http(Uri baseAddress) => new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task A_write_through_one_silo_is_read_through_every_other()
    {
        using var h0 = Http(fixture.Cluster.HttpBase(0));
        var put = await h0.PutAsync("kv/http/any", new ByteArrayContent("hello"u8.ToArray()));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        var etag = put.Headers.ETag!.Tag;
        for (var i = 0; i < 3; i++)
        {
            using var h = Http(fixture.Cluster.HttpBase(i));
            var get = await h.GetAsync("kv/http/any");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal("hello", await get.Content.ReadAsStringAsync());
            Assert.Equal(etag, get.Headers.ETag!.Tag);
        }
    }

    [Fact]
    public async Task Conditional_writes_answer_412_and_keep_the_value()
    {
        using var h = Http(fixture.Cluster.HttpBase(1));
        var put = await h.PutAsync("kv/http/cond", new ByteArrayContent("a"u8.ToArray()));
        var etag = put.Headers.ETag!;
        using var stale = new HttpRequestMessage(HttpMethod.Put, "kv/http/cond") { Content = new ByteArrayContent("b"u8.ToArray()) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await h.SendAsync(stale)).StatusCode);
        using var create = new HttpRequestMessage(HttpMethod.Put, "kv/http/cond") { Content = new ByteArrayContent("c"u8.ToArray()) };
        create.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await h.SendAsync(create)).StatusCode);
        using var ok = new HttpRequestMessage(HttpMethod.Put, "kv/http/cond") { Content = new ByteArrayContent("d"u8.ToArray()) };
        ok.Headers.IfMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NoContent, (await h.SendAsync(ok)).StatusCode);
        Assert.Equal("d", await h.GetStringAsync("kv/http/cond"));
    }

    [Fact]
    public async Task Bad_input_gets_4xx_and_writes_nothing()
    {
        using var h = Http(fixture.Cluster.HttpBase(2));
        var big = await h.PutAsync("kv/http/bad", new ByteArrayContent(new byte[fixture.Cluster.Silos[0].MaxValueBytes + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        var longKey = await h.PutAsync("kv/" + new string('k', 5000), new ByteArrayContent("x"u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, longKey.StatusCode);
        using var badMatch = new HttpRequestMessage(HttpMethod.Put, "kv/http/bad") { Content = new ByteArrayContent("x"u8.ToArray()) };
        badMatch.Headers.TryAddWithoutValidation("If-Match", "not-a-version");
        Assert.Equal(HttpStatusCode.BadRequest, (await h.SendAsync(badMatch)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await h.GetAsync("kv/http/bad?consistency=sometimes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("kv/http/bad")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h.PostAsync("cluster/silos/nope/drain", null)).StatusCode);
    }

    [Fact]
    public async Task An_idempotency_key_makes_a_retried_put_apply_once()
    {
        using var h = Http(fixture.Cluster.HttpBase(0));
        async Task<HttpResponseMessage> PutAsync(string value)
        {
            using var req = new HttpRequestMessage(HttpMethod.Put, "kv/http/idem") { Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(value)) };
            req.Headers.Add("Idempotency-Key", "token-1");
            return await h.SendAsync(req);
        }

        var first = await PutAsync("first");
        var retry = await PutAsync("second");
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        Assert.Equal(first.Headers.ETag!.Tag, retry.Headers.ETag!.Tag);
        Assert.Equal("first", await h.GetStringAsync("kv/http/idem"));
    }

    [Fact]
    public async Task Cluster_lists_three_silos_and_every_shard_with_a_leader()
    {
        using var h = Http(fixture.Cluster.HttpBase(0));
        using var doc = System.Text.Json.JsonDocument.Parse(await h.GetStringAsync("cluster"));
        Assert.Equal(3, doc.RootElement.GetProperty("silos").GetArrayLength());
        var shards = doc.RootElement.GetProperty("shards").EnumerateArray().Where(s => s.GetProperty("id").GetUInt64() != 0).ToList();
        Assert.Equal(4, shards.Count);
        Assert.All(shards, s => Assert.Equal(3, s.GetProperty("replicas").GetArrayLength()));
    }
}
