using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using MultiRaft.Tests.Support;

namespace MultiRaft.Samples.Tests;

/// <summary>samples/ClientQuickstart, the README's snippet, against a real silo process.</summary>
public sealed partial class ClientQuickstartTests
{
    // The snippet names these gateways; the test's silo takes the first.
    private static readonly int[] SnippetGateways = [30000, 30001, 30002];

    [Fact]
    public async Task Quickstart_writes_reads_swaps_and_scans_through_a_running_silo()
    {
        var ct = TestContext.Current.CancellationToken;
        RequireSnippetGatewaysFree();
        var dataDir = Directory.CreateTempSubdirectory("multiraft-quickstart-");
        var ports = Ports.Free(2);
        var http = new Uri($"http://127.0.0.1:{ports[1]}/");
        using var client = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await using var silo = SampleProcess.Start(SampleBinaries.Silo,
                ["--silo-id", "s1", "--silo-port", $"{ports[0]}", "--gateway-port", $"{SnippetGateways[0]}",
                    "--http-port", $"{ports[1]}", "--data-dir", Path.Combine(dataDir.FullName, "s1"), "--shards", "2"],
                dataDir.FullName, new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
            await WaitUntilEveryShardLeadsAsync(client, silo, shards: 2 + 1, TimeSpan.FromSeconds(90), ct);

            await using (var quickstart = SampleProcess.Start(SampleBinaries.ClientQuickstart, [], dataDir.FullName))
            {
                Assert.True(await quickstart.WaitForExitAsync(TimeSpan.FromSeconds(120), ct) == 0, quickstart.Describe());
                // Orleans logs to the console too: the snippet's one line is among its lines.
                var answers = quickstart.Output.Select(l => AnswerLine().Match(l)).Where(m => m.Success).ToList();
                var answer = Assert.Single(answers);
                var putVersion = ulong.Parse(answer.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(putVersion > 0, quickstart.Describe());

                // The compare-and-set after the read applied: a newer version holds the new value.
                using var stored = await client.GetAsync(new Uri("kv/user/7", UriKind.Relative), ct);
                Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
                Assert.Equal("Ada L.", await stored.Content.ReadAsStringAsync(ct));
                Assert.True(ulong.Parse(stored.Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture) > putVersion);
            }

            await silo.StopAsync(TimeSpan.FromSeconds(60), ct);
        }
        finally
        {
            dataDir.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^Ada at version (?<version>[1-9][0-9]*); 1 keys under user/$")]
    private static partial Regex AnswerLine();

    // The snippet hardcodes its gateways, so the test cannot move them: a busy port is a failure
    // to report plainly, not a reason to skip (and another cluster there would answer instead).
    private static void RequireSnippetGatewaysFree()
    {
        foreach (var port in SnippetGateways)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
            }
            catch (SocketException ex)
            {
                Assert.Fail($"127.0.0.1:{port} is in use ({ex.SocketErrorCode}). The quickstart connects to the fixed gateways "
                    + $"{string.Join(", ", SnippetGateways)} and this test starts its silo on {SnippetGateways[0]}: stop whatever "
                    + "listens there (a ./run.sh cluster holds all three) and run the test again.");
            }
            finally
            {
                listener.Stop();
            }
        }
    }

    private static async Task WaitUntilEveryShardLeadsAsync(HttpClient client, SampleProcess silo, int shards, TimeSpan limit,
        CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + limit;
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline && !silo.HasExited)
        {
            try
            {
                last = await client.GetStringAsync(new Uri("cluster", UriKind.Relative), ct);
                using var view = JsonDocument.Parse(last);
                var all = view.RootElement.GetProperty("shards").EnumerateArray().ToList();
                if (all.Count == shards && all.All(s => s.GetProperty("leaderSilo").ValueKind == JsonValueKind.String))
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                last = ex.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }

        Assert.Fail($"the silo did not elect a leader for each of its {shards} shards within {limit.TotalSeconds:0}s; "
            + $"last /cluster: {last}\n{silo.Describe()}");
    }
}
