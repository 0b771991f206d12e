using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace MultiRaft.LoadGen.Tests;

public sealed class ClosedLoopRunnerTests
{
    private static LoadOptions Options(double readRatio, int requests = 50) => new()
    {
        Urls = [new Uri("http://a.test/"), new Uri("http://b.test/base/")],
        Clients = 4,
        Keys = 20,
        ValueSize = 7,
        ReadRatio = readRatio,
        Warmup = TimeSpan.Zero,
        Duration = TimeSpan.FromMinutes(10),
        RequestsPerClient = requests,
        Seed = 3,
    };

    [Fact]
    public async Task Writes_only_sends_puts_with_the_value_to_key_names_round_robin()
    {
        var server = new FakeServer();
        var result = await ClosedLoopRunner.RunAsync(Options(0), server, TestContext.Current.CancellationToken);

        Assert.Equal(200, result.Writes.Count);
        Assert.Equal(0, result.Reads.Count);
        Assert.Equal(0, result.ErrorCount);
        Assert.All(server.Requests, r => Assert.Equal("PUT", r.Method));
        Assert.All(server.Requests, r => Assert.Equal("vvvvvvv", r.Body));
        Assert.All(server.Requests, r => Assert.Matches(@"^http://(a\.test/|b\.test/base/)kv/key000000(0[1-9]|1[0-9]|20)$", r.Uri));
        Assert.Equal(100, server.Requests.Count(r => r.Uri.StartsWith("http://a.test/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Read_ratio_one_sends_only_gets_and_404_counts_as_success()
    {
        var server = new FakeServer();
        var result = await ClosedLoopRunner.RunAsync(Options(1), server, TestContext.Current.CancellationToken);

        Assert.Equal(200, result.Reads.Count);
        Assert.Equal(0, result.Writes.Count);
        Assert.Equal(0, result.ErrorCount);
        Assert.All(server.Requests, r => Assert.Equal("GET", r.Method));
    }

    [Fact]
    public async Task Same_seed_gives_the_same_mix_and_keys()
    {
        var first = new FakeServer();
        var second = new FakeServer();
        var a = await ClosedLoopRunner.RunAsync(Options(0.3), first, TestContext.Current.CancellationToken);
        var b = await ClosedLoopRunner.RunAsync(Options(0.3), second, TestContext.Current.CancellationToken);

        Assert.Equal(a.Reads.Count, b.Reads.Count);
        Assert.Equal(200, a.Reads.Count + a.Writes.Count);
        Assert.InRange(a.Reads.Count, 30, 90);
        Assert.Equal(first.Requests.Select(r => r.Method + r.Uri).Order(), second.Requests.Select(r => r.Method + r.Uri).Order());
    }

    [Fact]
    public async Task Failures_are_counted_by_cause_and_not_as_latencies()
    {
        var server = new FakeServer { Status = HttpStatusCode.ServiceUnavailable };
        var result = await ClosedLoopRunner.RunAsync(Options(0, requests: 5), server, TestContext.Current.CancellationToken);

        Assert.Equal(0, result.Ops);
        Assert.Equal(new Dictionary<string, long> { ["status 503"] = 20 }, result.Errors);

        var json = JsonDocument.Parse(Report.Json(Options(0, requests: 5), result)).RootElement;
        Assert.Equal(0, json.GetProperty("ops").GetInt64());
        Assert.Equal(20, json.GetProperty("errors").GetProperty("status 503").GetInt64());
        Assert.Contains("status 503: 20", Report.Text(Options(0), result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_failures_are_counted_by_kind()
    {
        var server = new FakeServer { Fail = true };
        var result = await ClosedLoopRunner.RunAsync(Options(0.5, requests: 3), server, TestContext.Current.CancellationToken);

        Assert.Equal(new Dictionary<string, long> { ["http ConnectionError"] = 12 }, result.Errors);
    }

    [Fact]
    public void Key_names_match_the_wrk_scripts()
    {
        Assert.Equal("key00000001", KeyNames.Of(1));
        Assert.Equal("key00100000", KeyNames.Of(100_000));
    }

    [Fact]
    public void Bad_options_are_all_reported()
    {
        var problems = new LoadOptions { Clients = 0, ReadRatio = 1.5, Keys = 0, Duration = TimeSpan.Zero }.Validate();
        Assert.Equal(
            ["--clients must be at least 1", "--keys must be between 1 and 99999999", "--read-ratio must be between 0 and 1", "--duration must be positive"],
            problems);
    }

    private sealed record Seen(string Method, string Uri, string? Body);

    /// <summary>Answers like a silo without a network: PUT 204, GET 404 (or a fixed failure).</summary>
    private sealed class FakeServer : HttpMessageHandler
    {
        private readonly ConcurrentQueue<Seen> _requests = new();

        public HttpStatusCode? Status { get; init; }

        public bool Fail { get; init; }

        public IReadOnlyCollection<Seen> Requests => _requests;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            _requests.Enqueue(new Seen(request.Method.Method, request.RequestUri!.ToString(), body));
            if (Fail)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");
            }

            var status = Status ?? (request.Method == HttpMethod.Put ? HttpStatusCode.NoContent : HttpStatusCode.NotFound);
            return new HttpResponseMessage(status) { RequestMessage = request };
        }
    }
}
