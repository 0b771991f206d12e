using System.Collections.Concurrent;
using System.Text.Json;
using MultiRaft.Client;

namespace MultiRaft.LoadGen.Tests;

/// <summary>The runner drives any <see cref="IKvTarget"/>: what it sends, and how it counts what comes back.</summary>
public sealed class KvTargetRunnerTests
{
    private static LoadOptions Options(double readRatio, int clients = 4, int requests = 50) => new()
    {
        Orleans = new OrleansTargetOptions { Gateways = ["127.0.0.1:30000", "127.0.0.1:30001"] },
        Clients = clients,
        Keys = 20,
        ValueSize = 5,
        ReadRatio = readRatio,
        Warmup = TimeSpan.Zero,
        Duration = TimeSpan.FromMinutes(10),
        RequestsPerClient = requests,
        Seed = 7,
    };

    [Fact]
    public async Task Each_client_sends_exactly_its_requests_and_every_success_is_counted_by_kind()
    {
        var target = new FakeTarget();
        var result = await ClosedLoopRunner.RunAsync(Options(0.3), target, TestContext.Current.CancellationToken);

        Assert.Equal(200, target.Calls.Count);
        Assert.All(Enumerable.Range(0, 4), c => Assert.Equal(50, target.Calls.Count(call => call.Client == c)));
        var reads = target.Calls.Count(call => call.Kind == OpKind.Read);
        Assert.InRange(reads, 30, 90);
        Assert.Equal(reads, result.Reads.Count);
        Assert.Equal(200 - reads, result.Writes.Count);
        Assert.Equal(0, result.ErrorCount);
        Assert.All(target.Calls, call => Assert.Matches("^key000000(0[1-9]|1[0-9]|20)$", call.Key));
        Assert.All(target.Calls.Where(call => call.Kind == OpKind.Write), call => Assert.Equal("vvvvv", call.Value));
    }

    [Theory]
    [InlineData(0.0, 0, 90)]
    [InlineData(1.0, 90, 0)]
    public async Task A_read_ratio_of_zero_or_one_sends_one_kind_only(double readRatio, int reads, int writes)
    {
        var target = new FakeTarget();
        var result = await ClosedLoopRunner.RunAsync(Options(readRatio, clients: 3, requests: 30), target, TestContext.Current.CancellationToken);

        Assert.Equal(reads, target.Calls.Count(call => call.Kind == OpKind.Read));
        Assert.Equal(writes, target.Calls.Count(call => call.Kind == OpKind.Write));
        Assert.Equal(reads, result.Reads.Count);
        Assert.Equal(writes, result.Writes.Count);
    }

    [Fact]
    public async Task Thrown_failures_are_counted_by_exception_type_and_returned_causes_as_given()
    {
        // Reads fail as the client does when no leader answers; one key's writes come back refused.
        var target = new FakeTarget
        {
            Fail = call => call.Kind == OpKind.Read
                ? throw new UnavailableException("no quorum")
                : call.Key == "key00000001" ? "status 503" : null,
        };
        var result = await ClosedLoopRunner.RunAsync(Options(0.5), target, TestContext.Current.CancellationToken);

        var reads = target.Calls.Count(call => call.Kind == OpKind.Read);
        var refused = target.Calls.Count(call => call.Kind == OpKind.Write && call.Key == "key00000001");
        Assert.True(refused > 0);
        var expected = new Dictionary<string, long> { ["UnavailableException"] = reads, ["status 503"] = refused };
        Assert.Equal(expected, result.Errors);
        Assert.Equal(0, result.Reads.Count);
        Assert.Equal(200 - reads - refused, result.Writes.Count);
        Assert.Contains("UnavailableException: " + reads, Report.Text(Options(0.5), result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_names_the_target()
    {
        var result = await ClosedLoopRunner.RunAsync(Options(0, requests: 2), new FakeTarget(), TestContext.Current.CancellationToken);

        var text = Report.Text(Options(0), result);
        Assert.Contains("clients over 2 gateway(s)", text, StringComparison.Ordinal);
        Assert.Contains("target      orleans 127.0.0.1:30000 127.0.0.1:30001 (cluster multiraft-dev, service multiraft)", text, StringComparison.Ordinal);
        var json = JsonDocument.Parse(Report.Json(Options(0), result)).RootElement;
        Assert.Equal("orleans", json.GetProperty("target").GetString());
        Assert.Equal(["127.0.0.1:30000", "127.0.0.1:30001"], json.GetProperty("gateways").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("multiraft-dev", json.GetProperty("clusterId").GetString());

        var http = new LoadOptions { Urls = [new Uri("http://a.test/")] };
        Assert.Equal("http", JsonDocument.Parse(Report.Json(http, result)).RootElement.GetProperty("target").GetString());
        Assert.Contains("target      http http://a.test/", Report.Text(http, result), StringComparison.Ordinal);
    }

    private sealed record Call(int Client, OpKind Kind, string Key, string Value);

    /// <summary>Records every operation; succeeds unless <see cref="Fail"/> returns a cause or throws.</summary>
    private sealed class FakeTarget : IKvTarget
    {
        private readonly ConcurrentQueue<Call> _calls = new();

        public Func<Call, string?> Fail { get; init; } = _ => null;

        public IReadOnlyCollection<Call> Calls => _calls;

        public async ValueTask<string?> SendAsync(int client, OpKind kind, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
        {
            await Task.Yield();
            var call = new Call(client, kind, key, System.Text.Encoding.ASCII.GetString(value.Span));
            _calls.Enqueue(call);
            return Fail(call);
        }
    }
}
