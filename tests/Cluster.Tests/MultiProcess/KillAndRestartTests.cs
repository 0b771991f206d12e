using System.Collections.Concurrent;
using System.Net;
using System.Text;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Tests.Support;

namespace MultiRaft.Cluster.Tests.MultiProcess;

/// <summary>
/// Three silo processes on loopback: 10,000 keys written through the client (an Orleans client
/// over every gateway) and the HTTP API, the busiest silo killed with SIGKILL in the middle,
/// writes continuing, the silo restarted from its WAL. Every acknowledged write is then present
/// with its value and version (applied exactly once), and every shard's replicas hold identical
/// state. The silo killed is never silo 1, which holds development clustering's membership
/// table; it is made the busiest by moving every data shard's leadership onto it first.
/// </summary>
public sealed class KillAndRestartTests(ITestOutputHelper output) : IDisposable
{
    private const int Shards = 16;
    private const int Keys = 10_000;
    private readonly string _root = Directory.CreateTempSubdirectory("multiraft-mp-").FullName;
    private readonly List<SiloProcess> _silos = [];

    [Fact]
    public async Task Acknowledged_writes_survive_a_kill_9_and_replicas_converge()
    {
        var ports = Ports.Free(9);
        for (var i = 0; i < 3; i++)
        {
            // Development clustering: silos 2 and 3 join through silo 1's silo-to-silo port.
            _silos.Add(new SiloProcess($"s{i + 1}", ports[i * 3], ports[i * 3 + 1], ports[i * 3 + 2], Path.Combine(_root, $"s{i + 1}"),
                i == 0 ? "" : $"127.0.0.1:{ports[0]}", Shards));
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        _silos[0].Start();
        await WaitAsync(() => _silos[0].ServesClusterAsync(http), "the first silo to bootstrap");
        _silos[1].Start();
        _silos[2].Start();
        await WaitAsync(async () => await _silos[1].ServesClusterAsync(http) && await _silos[2].ServesClusterAsync(http), "silos 2 and 3 to join");
        await using var orleans = await ClusterClientHost.StartAsync(_silos.Select(s => s.Gateway), requestTimeout: TimeSpan.FromSeconds(20));
        var grains = orleans.Grains;
        await WaitConvergedAsync(grains, "the cluster to replicate every shard three times");

        var acked = new ConcurrentDictionary<string, (string Value, ulong Version)>();
        var unknown = new ConcurrentDictionary<string, string>();
        var client = orleans.Client;

        // Phase 1: half the keys with all silos up; phase 2: kill the busiest silo and keep going.
        await WriteAsync(client, http, 0, Keys / 2, acked, unknown);
        var victim = await MakeBusiestAsync(grains, client);
        Log($"killing {_silos[victim].SiloId} (kill -9), the leader of every data shard, after {acked.Count} acknowledged writes");
        _silos[victim].Kill9();
        await WriteAsync(client, http, Keys / 2, Keys, acked, unknown);
        Log($"{acked.Count} acknowledged, {unknown.Count} unknown; restarting {_silos[victim].SiloId}");
        _silos[victim].Start();
        await WaitConvergedAsync(grains, "the restarted silo to catch up");

        Assert.Equal(Keys, acked.Count + unknown.Count);
        Assert.True(unknown.Count < Keys / 20, $"{unknown.Count} of {Keys} writes ended unknown: the client should ride out one silo's death");
        var missing = new List<string>();
        foreach (var batch in acked.Chunk(200))
        {
            var reads = await Task.WhenAll(batch.Select(async kv => (kv, await client.GetAsync(Encoding.UTF8.GetBytes(kv.Key)))));
            foreach (var (kv, got) in reads)
            {
                if (got is null || Encoding.UTF8.GetString(got.Value.Span) != kv.Value.Value || got.Version != kv.Value.Version)
                {
                    missing.Add($"{kv.Key}: acked {kv.Value.Value}@{kv.Value.Version}, read {(got is null ? "nothing" : Encoding.UTF8.GetString(got.Value.Span) + "@" + got.Version)}");
                }
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged writes lost or changed, e.g. {string.Join("; ", missing.Take(5))}");
        foreach (var (key, value) in unknown)
        {
            var got = await client.GetAsync(Encoding.UTF8.GetBytes(key));
            Assert.True(got is null || Encoding.UTF8.GetString(got.Value.Span) == value, $"{key} holds a value never written");
        }
    }

    private async Task WriteAsync(MultiRaftClient client, HttpClient http, int from, int to,
        ConcurrentDictionary<string, (string, ulong)> acked, ConcurrentDictionary<string, string> unknown)
    {
        var next = from - 1;
        var silos = 0;
        async Task Worker(bool viaHttp, Uri[] bases)
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < to)
            {
                var key = $"mp/{i:D6}";
                var value = $"value-{i}";
                try
                {
                    if (viaHttp)
                    {
                        // A refused connection never delivered the request: try the next silo.
                        for (var attempt = 0; ; attempt++)
                        {
                            var b = bases[Interlocked.Increment(ref silos) % bases.Length];
                            using var req = new HttpRequestMessage(HttpMethod.Put, new Uri(b, "kv/" + key)) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(value)) };
                            req.Headers.Add("Idempotency-Key", key);
                            HttpResponseMessage resp;
                            try
                            {
                                resp = await http.SendAsync(req);
                            }
                            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError && attempt < 5)
                            {
                                continue;
                            }

                            using (resp)
                            {
                                if (resp.StatusCode == HttpStatusCode.NoContent)
                                {
                                    acked[key] = (value, ulong.Parse(resp.Headers.ETag!.Tag.Trim('"')));
                                }
                                else
                                {
                                    unknown[key] = value; // 503/504: may or may not have applied
                                }
                            }

                            break;
                        }
                    }
                    else
                    {
                        acked[key] = (value, await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value)));
                    }
                }
                catch (Exception ex) when (ex is MultiRaftException or HttpRequestException or TaskCanceledException)
                {
                    unknown[key] = value;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 48).Select(w => Worker(w % 2 == 1, HttpBases)));
    }

    private Uri[] HttpBases => _silos.Select(s => s.HttpBase).ToArray();

    /// <summary>
    /// Picks the silo to kill: a non-primary one (development clustering keeps Orleans' membership
    /// table in silo 1, whose death would stop membership for the others), made the busiest by
    /// moving every data shard's leadership onto it.
    /// </summary>
    private async Task<int> MakeBusiestAsync(IGrainFactory grains, MultiRaftClient client)
    {
        var view = (await TryViewAsync(grains))!;
        var counts = _silos.Select(s => view.Leaders.Count(l => l.ShardId != 0 && l.SiloId == s.SiloId)).ToList();
        var victim = counts[1] >= counts[2] ? 1 : 2;
        foreach (var shard in view.Shards.Where(s => s.ShardId != 0))
        {
            await client.TransferLeaderAsync(shard.ShardId, _silos[victim].SiloId);
        }

        // The view learns leaders from heartbeats: wait until it shows the moves.
        await WaitAsync(async () => await TryViewAsync(grains) is { } v
            && v.Leaders.Count(l => l.ShardId != 0 && l.SiloId == _silos[victim].SiloId) == Shards, $"{_silos[victim].SiloId} to lead every data shard");
        return victim;
    }

    private static async Task<ClusterView?> TryViewAsync(IGrainFactory grains)
    {
        try
        {
            var r = await grains.GetGrain<IRouterGrain>(0).GetView();
            return r.Status == ResponseStatus.Ok ? r.Cluster : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    private async Task WaitConvergedAsync(IGrainFactory grains, string what) =>
        await WaitForAsync(() => UnconvergedAsync(grains), what);

    // Why the cluster has not converged (the first difference found), or null when every shard
    // has three replicas with identical data.
    private static async Task<string?> UnconvergedAsync(IGrainFactory grains)
    {
        var view = await TryViewAsync(grains);
        if (view is null || view.Shards.Count != Shards + 1)
        {
            return view is null ? "no cluster view" : $"{view.Shards.Count} shards in the view";
        }

        foreach (var shard in view.Shards)
        {
            if (shard.Replicas.Count != 3)
            {
                return $"shard {shard.ShardId} has {shard.Replicas.Count} replicas";
            }

            var digests = new List<(string Silo, ulong Version, string Hex)>();
            foreach (var r in shard.Replicas)
            {
                try
                {
                    var d = await grains.GetGrain<IReplicaGrain>(GrainKeys.Replica(shard.ShardId, r.ReplicaId, r.SiloId)).Digest();
                    if (d.Status != ResponseStatus.Ok)
                    {
                        return $"shard {shard.ShardId} replica {r.ReplicaId} on {r.SiloId}: digest {d.Status} {d.Error}";
                    }

                    digests.Add((r.SiloId, d.Version, Convert.ToHexString(d.Value.Span)));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A silo that is down or not yet back: its replicas are refused or unreachable.
                    return $"shard {shard.ShardId} replica {r.ReplicaId} on {r.SiloId}: {ex.GetType().Name} {ex.Message}";
                }
            }

            // Data shards must match exactly; the router's own state changes with every heartbeat.
            if (shard.ShardId != 0 && digests.Select(d => (d.Version, d.Hex)).Distinct().Count() != 1)
            {
                return $"shard {shard.ShardId} digests differ: {string.Join(", ", digests.Select(d => $"{d.Silo} version {d.Version} {d.Hex[..Math.Min(12, d.Hex.Length)]}"))}";
            }
        }

        return null;
    }

    private Task WaitAsync(Func<Task<bool>> condition, string what) =>
        WaitForAsync(async () => await condition() ? null : "not yet", what);

    // Polls until the check returns null; on timeout fails with the check's last answer, each
    // silo process's state and the silos' logs.
    private async Task WaitForAsync(Func<Task<string?>> unmet, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (await unmet() is { } why)
        {
            if (DateTime.UtcNow > deadline)
            {
                // The reason last as well as in the failure: CI may show only the output's tail.
                var failure = $"timed out waiting for {what}: {why}; processes: {SiloProcess.Describe(_silos)}";
                SiloProcess.WriteLogs(_silos, output);
                Log(failure);
                Assert.Fail(failure);
            }

            await Task.Delay(200);
        }
    }

    // With the silos' timestamps (UTC), so that the test's steps can be found in their logs.
    private void Log(string line) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");

    public void Dispose() => SiloProcess.DisposeAll(_silos, _root);
}
