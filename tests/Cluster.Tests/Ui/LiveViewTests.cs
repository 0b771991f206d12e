using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace MultiRaft.Cluster.Tests.Ui;

/// <summary>
/// The live view at <c>/ui</c> in a real headless Chromium against the shared 3-silo cluster: it
/// shows every silo and shard, and its write rate rises while a write load runs. A screenshot
/// taken under load is kept (its path is printed, and it is attached to the test's result).
/// </summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class LiveViewTests(ThreeSiloFixture fixture)
{
    // What the test reads from the page (null until the page has loaded): polls done, and per silo and shard what it shows.
    private const string Snapshot = """
        document.getElementById('status') === null ? null : JSON.stringify({
          polls: Number(document.body.getAttribute('data-polls') || 0),
          status: document.getElementById('status').getAttribute('data-status'),
          total: document.getElementById('total-writes').getAttribute('data-total-writes'),
          silos: [...document.querySelectorAll('#silos tr[data-silo-id]')].map(r => ({
            id: r.getAttribute('data-silo-id'),
            writes: r.querySelector('[data-silo-writes]').getAttribute('data-silo-writes'),
            fsync: r.querySelector('[data-silo-fsync-p50]').getAttribute('data-silo-fsync-p50'),
          })),
          shards: [...document.querySelectorAll('#shards tr[data-shard-id]')].map(r => ({
            id: r.getAttribute('data-shard-id'),
            leader: r.getAttribute('data-shard-leader'),
            replicas: r.querySelectorAll('[data-replica-id]').length,
          })),
        })
        """;

    [Fact]
    public async Task The_page_shows_every_silo_and_shard_and_its_write_rate_follows_a_load()
    {
        var executable = HeadlessChromium.Find() ?? throw new InvalidOperationException(
            "the live view test needs a headless browser: install Debian's chromium package (apt-get install chromium; " +
            $"./test.sh does so when run as root), or set {HeadlessChromium.Variable} to a Chromium or Chrome executable");
        var view = await fixture.Cluster.ViewAsync();
        var shardIds = view.Shards.Select(s => s.ShardId.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal).ToArray();
        var siloIds = fixture.Cluster.Silos.Select(s => s.SiloId).Order(StringComparer.Ordinal).ToArray();

        // The serving silo relays any silo's multiraft_* samples (gauges always; counters once they counted) (the page is same-origin only), stamped with its clock.
        using (var http = new HttpClient { BaseAddress = fixture.Cluster.HttpBase(0), Timeout = TimeSpan.FromSeconds(20) })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("ui/metrics/nope")).StatusCode);
            var relayed = await http.GetAsync("ui/metrics/" + siloIds[^1]);
            Assert.Equal(HttpStatusCode.OK, relayed.StatusCode);
            Assert.True(relayed.Headers.TryGetValues("X-MultiRaft-Scraped-Ms", out _));
            var lines = (await relayed.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(lines, l => Assert.StartsWith("multiraft_", l, StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"multiraft_replicas{{otel_scope_name=\"MultiRaft\",otel_scope_silo=\"{siloIds[^1]}\"}}", StringComparison.Ordinal));
            Assert.Equal("text/html", (await http.GetAsync("ui")).Content.Headers.ContentType?.MediaType);
        }

        await using var browser = await HeadlessChromium.StartAsync(executable, new Uri(fixture.Cluster.HttpBase(0), "ui"));

        // Loaded: every silo and shard listed, and each silo's rates taken (two scrapes a second apart).
        var idle = await WaitForAsync(browser, "every silo and shard with figures", s =>
            s.Silos.Count == siloIds.Length && s.Shards.Count == shardIds.Length && s.Silos.All(x => x.Writes is not null));
        Assert.Equal(siloIds, idle.Silos.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.Equal(shardIds, idle.Shards.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.All(idle.Shards, s => Assert.Equal(3, s.Replicas));
        Assert.All(idle.Shards, s => Assert.Contains(s.Leader, siloIds));
        Assert.Equal("ok", idle.Status);

        // Under a write load the displayed rate rises well above the idle one (the router's own commands).
        var client = fixture.Cluster.NewClient();
        await using var load = new WriteLoad(client, "ui", writers: 8);
        var busy = await WaitForAsync(browser, $"the write rate to rise above the idle {idle.Total:F1}/s", s =>
        {
            load.AssertNoFailure();
            return s.Total > (1.5 * idle.Total) + 20 && s.Silos.Any(x => x.Fsync is not null);
        });
        Assert.NotEqual(idle.Total, busy.Total);
        Assert.True(busy.Silos.Sum(s => s.Writes ?? 0) > 0);

        var png = await browser.ScreenshotAsync();
        var path = SaveArtifact("live-view.png", png);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"idle {idle.Total:F1} writes/s, under load {busy.Total:F1} writes/s; screenshot: {path}");
        TestContext.Current.AddAttachment("live-view.png", png, "image/png");
        await load.StopAndVerifyAsync(atLeast: 1);
    }

    private static async Task<PageState> WaitForAsync(HeadlessChromium browser, string what, Func<PageState, bool> done)
    {
        var clock = Stopwatch.StartNew();
        PageState? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var value = await browser.EvaluateAsync(Snapshot);
            var json = value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;
            last = json is null ? null : PageState.Parse(json);
            if (last is not null && done(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        var page = await browser.EvaluateAsync("location.href + ': ' + (document.body ? document.body.innerText.slice(0, 2000) : '(no body)')");
        throw new TimeoutException($"the page did not show {what} within 20 s; last seen: {last?.ToString() ?? "nothing"}; page: {page}");
    }

    // tests/Cluster.Tests/TestResults/ui (ignored by git), or $MULTIRAFT_TEST_ARTIFACTS/ui when set.
    private static string SaveArtifact(string name, byte[] content)
    {
        var root = Environment.GetEnvironmentVariable("MULTIRAFT_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(ProjectDirectory() ?? AppContext.BaseDirectory, "TestResults");
        var dir = Directory.CreateDirectory(Path.Combine(root, "ui")).FullName;
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static string? ProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.Tests.csproj")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private sealed record SiloState(string Id, double? Writes, double? Fsync);

    private sealed record ShardState(string Id, string Leader, int Replicas);

    private sealed record PageState(int Polls, string Status, double Total, IReadOnlyList<SiloState> Silos, IReadOnlyList<ShardState> Shards)
    {
        public static PageState Parse(string json)
        {
            var o = JsonNode.Parse(json)!;
            return new PageState(
                o["polls"]!.GetValue<int>(),
                o["status"]?.GetValue<string>() ?? "",
                Number(o["total"]) ?? 0,
                o["silos"]!.AsArray().Select(s => new SiloState(s!["id"]!.GetValue<string>(), Number(s["writes"]), Number(s["fsync"]))).ToArray(),
                o["shards"]!.AsArray().Select(s => new ShardState(s!["id"]!.GetValue<string>(), s["leader"]?.GetValue<string>() ?? "", s["replicas"]!.GetValue<int>())).ToArray());
        }

        public override string ToString() =>
            $"polls {Polls}, status {Status}, total {Total:F1}/s, silos [{string.Join(", ", Silos.Select(s => $"{s.Id}: {s.Writes?.ToString("F1", CultureInfo.InvariantCulture) ?? "-"}/s fsync {s.Fsync?.ToString("F3", CultureInfo.InvariantCulture) ?? "-"}"))}], " +
            $"shards [{string.Join(", ", Shards.Select(s => $"{s.Id}@{s.Leader}x{s.Replicas}"))}]";

        // A data attribute's text as a number; empty (not measured yet) is null.
        private static double? Number(JsonNode? node) =>
            node?.GetValue<string>() is { Length: > 0 } text ? double.Parse(text, CultureInfo.InvariantCulture) : null;
    }
}
