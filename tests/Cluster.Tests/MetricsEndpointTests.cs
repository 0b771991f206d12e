using System.Globalization;
using System.Net;

namespace MultiRaft.Cluster.Tests;

/// <summary>GET /metrics on every silo of a real cluster: Prometheus text with the store's, Orleans' and ASP.NET Core's meters, without the per-message and per-buffer ones left out.</summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class MetricsEndpointTests(ThreeSiloFixture fixture)
{
    [Fact]
    public async Task Every_silo_serves_prometheus_text_after_a_write()
    {
        using var h0 = new HttpClient { BaseAddress = fixture.Cluster.HttpBase(0), Timeout = TimeSpan.FromSeconds(20) };
        Assert.Equal(HttpStatusCode.NoContent, (await h0.PutAsync("kv/metrics/a", new ByteArrayContent("v"u8.ToArray()))).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            using var h = new HttpClient { BaseAddress = fixture.Cluster.HttpBase(i), Timeout = TimeSpan.FromSeconds(20) };
            var r = await h.GetAsync("metrics");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("text/plain", r.Content.Headers.ContentType?.MediaType);
            var body = await r.Content.ReadAsStringAsync();
            var samples = Samples(body);

            // The silos share this process, so each exports every silo's series, told apart by the meter's silo tag.
            foreach (var silo in fixture.Cluster.Silos)
            {
                // 4 data shards and the meta shard, each replicated on all 3 silos.
                Assert.Equal(5, samples[$"multiraft_replicas{{otel_scope_name=\"MultiRaft\",otel_scope_silo=\"{silo.SiloId}\"}}"]);
                // A settled cluster: nothing moving.
                Assert.Equal(0, samples[$"multiraft_moves{{otel_scope_name=\"MultiRaft\",otel_scope_silo=\"{silo.SiloId}\"}}"]);
            }

            Assert.Contains(samples, s => s.Key.StartsWith("multiraft_proposals_total{", StringComparison.Ordinal) && s.Value >= 1);
            foreach (var family in new[]
                     {
                         "multiraft_commits_total counter", "multiraft_commit_duration_milliseconds histogram",
                         "multiraft_group_commit_entries histogram", "multiraft_wal_fsync_duration_milliseconds histogram",
                         "multiraft_call_messages histogram", "multiraft_leaders gauge", "multiraft_shard_keys gauge",
                         "orleans_catalog_activations gauge", "http_server_request_duration_seconds histogram",
                         "kestrel_active_connections gauge", "orleans_messaging_sent_local_total counter",
                     })
            {
                Assert.Contains($"# TYPE {family}\n", body, StringComparison.Ordinal);
            }

            // Left out for what they cost per request, buffer or message (MetricsEndpoint).
            foreach (var family in new[]
                     {
                         "aspnetcore_memory_pool_", "aspnetcore_routing_", "orleans_messaging_sent_messages_size",
                         "orleans_messaging_received_messages_size",
                     })
            {
                Assert.DoesNotContain($"# TYPE {family}", body, StringComparison.Ordinal);
            }

            Assert.Contains(samples, s => s.Key.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
                                          && s.Key.Contains("http_request_method=\"PUT\"", StringComparison.Ordinal));
        }
    }

    // "name{labels} value" lines, by name and labels. Orleans' own meter carries no silo label, so
    // silos sharing this test process (the fixture's, and those of tests run before) export the
    // same Orleans series more than once: the first of each is kept. MultiRaft's carry the silo.
    private static Dictionary<string, double> Samples(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#'))
            .Select(l => (Series: l[..l.LastIndexOf(' ')], Value: l[(l.LastIndexOf(' ') + 1)..]))
            .GroupBy(s => s.Series)
            .ToDictionary(g => g.Key, g => double.Parse(g.First().Value, CultureInfo.InvariantCulture));
}
