using System.Diagnostics;
using System.Text;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Tests.Support;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Cluster.Tests.MultiProcess;

/// <summary>
/// Silo processes on loopback under a continuous write load through the Orleans client: 3 silos
/// grow to 5 and balance; the leadership of every data shard is transferred to a voter on another
/// silo and stays there, pinned; one shard is split, and the load keeps writing to both halves;
/// one of the new silos is killed (SIGKILL) and its replicas are replaced once it has been away
/// past its down time; the other is drained and removed, leaving 3. No write fails, and every
/// acknowledged write is then readable at its version.
/// </summary>
public sealed class ElasticTests(ITestOutputHelper output) : IDisposable
{
    private const int Shards = 8;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string _root = Directory.CreateTempSubdirectory("multiraft-elastic-").FullName;
    private readonly List<SiloProcess> _silos = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task Scale_out_to_five_move_every_leader_split_lose_one_drain_one_with_no_failed_write()
    {
        var ports = Ports.Free(15);
        for (var i = 0; i < 5; i++)
        {
            // A short down time, so that the killed silo is replaced within the test.
            _silos.Add(new SiloProcess($"s{i + 1}", ports[i * 3], ports[i * 3 + 1], ports[i * 3 + 2], Path.Combine(_root, $"s{i + 1}"),
                i == 0 ? "" : $"127.0.0.1:{ports[0]}", Shards, "--down-time-ms", "3000"));
        }

        _silos[0].Start();
        await using var orleans = await ClusterClientHost.StartAsync(_silos.Take(3).Select(s => s.Gateway), requestTimeout: TimeSpan.FromSeconds(30));
        var client = orleans.Client;
        await WaitAsync(client, v => v.Shards.Count == Shards + 1 ? "" : "no cluster yet", "the first silo to bootstrap");
        _silos[1].Start();
        _silos[2].Start();
        await WaitAsync(client, v => Balance.Unbalanced(v, 3), "three balanced silos");

        await using var load = new WriteLoad(client, "elastic");
        _silos[3].Start();
        _silos[4].Start();
        await WaitAsync(client, v => Balance.Unbalanced(v, 5), "five balanced silos", load);

        var targets = LeaderTargets(await client.GetClusterAsync());
        Log("transferring leaderships: " + string.Join(", ", targets.Select(t => $"{t.Key} to {t.Value}")));
        foreach (var (shard, to) in targets)
        {
            await client.TransferLeaderAsync(shard, to, TestContext.Current.CancellationToken);
            load.AssertNoFailure();
        }

        await WaitAsync(client, v => NotLedAsSent(v, targets), "every shard led, pinned, where it was sent", load);

        // A shard led on a silo with the fewest leaders: its new shard's leadership, pinned beside
        // it, keeps the leaders balanced.
        var split = targets.MinBy(t => targets.Values.Count(to => to == t.Value)).Key;
        var (kept, added) = await Splits.WhenSettledAsync(client, split);
        var before = load.AcknowledgedKeys.ToHashSet();
        Log($"split shard {split} at {added.HashStart}: new shard {added.ShardId}");
        await WaitAsync(client, v => Unsettled(v, added.ShardId) is { Length: > 0 } why ? why : UnwrittenHalf(load, before, kept, added),
            "the new shard led by three voters and new writes in both halves", load);
        await WaitAsync(client, v => Balance.Unbalanced(v, 5), "five balanced silos after the split", load);

        Log("killing s5");
        _silos[4].Kill9();
        // Every shard but the two on s5 had its leadership pinned above, and the replacements may
        // leave those two without a replica on the silo that leads fewest (seen in CI: leaders
        // 3,1,3,2, neither on s2): full replication is the point here, not the leaders' spread.
        await WaitAsync(client, v => Balance.Unbalanced(v, 4, gone: "s5", leaderSpread: false), "s5's replicas replaced on the other four", load);

        var left = await client.DrainSiloAsync("s4");
        Log($"draining s4: {left} data replicas to move");
        await WaitAsync(client, v => Balance.Unbalanced(v, 3, gone: "s4"), "s4 drained", load);
        await client.RemoveSiloAsync("s4");
        Assert.True(_silos[3].ExitsWith(0, TimeSpan.FromSeconds(60)), "s4 did not stop itself with exit code 0 after its removal");

        await load.StopAndVerifyAsync(atLeast: 200);
        var view = await client.GetClusterAsync();
        Assert.Equal(SiloStatus.Removed, view.Silos.Single(s => s.SiloId == "s4").Status);
    }

    // A voter on another silo for every data shard to hand its leadership to, leaving the
    // leaderships per silo within one of each other: the transfers pin them, so the leader
    // balancer would not even them out again.
    private static Dictionary<ulong, string> LeaderTargets(ClusterView view)
    {
        var shards = view.Shards.Where(s => s.ShardId != 0).ToList();
        var silos = view.Silos.Where(s => s.Status == SiloStatus.Active).Select(s => s.SiloId).ToList();
        var counts = silos.ToDictionary(s => s, _ => 0);
        var chosen = new string[shards.Count];

        bool Assign(int i)
        {
            if (i == shards.Count)
            {
                return counts.Values.Max() - counts.Values.Min() <= 1;
            }

            var leader = view.Leaders.Single(l => l.ShardId == shards[i].ShardId).SiloId;
            foreach (var to in shards[i].Replicas.Where(r => r.Role == ReplicaRole.Voter && r.SiloId != leader).Select(r => r.SiloId))
            {
                counts[to]++;
                chosen[i] = to;
                if (counts[to] <= (shards.Count + silos.Count - 1) / silos.Count && Assign(i + 1))
                {
                    return true;
                }

                counts[to]--;
            }

            return false;
        }

        Assert.True(Assign(0), "no balanced choice of new leaders");
        return shards.Select((s, i) => (s.ShardId, chosen[i])).ToDictionary();
    }

    private static string NotLedAsSent(ClusterView view, Dictionary<ulong, string> targets)
    {
        foreach (var (shardId, to) in targets)
        {
            var shard = view.Shards.Single(s => s.ShardId == shardId);
            var leader = view.Leaders.FirstOrDefault(l => l.ShardId == shardId)?.SiloId;
            if (leader != to || !shard.LeaderPinned || shard.Replicas.Single(r => r.ReplicaId == shard.PreferredLeader).SiloId != to)
            {
                return $"shard {shardId} led on {leader} (pinned: {shard.LeaderPinned}), sent to {to}";
            }
        }

        return "";
    }

    private static string Unsettled(ClusterView view, ulong shardId)
    {
        var shard = view.Shards.FirstOrDefault(s => s.ShardId == shardId);
        if (shard is null)
        {
            return $"shard {shardId} not in the map";
        }

        var voters = shard.Replicas.Count(r => r.Role == ReplicaRole.Voter);
        return voters == 3 && ShardMotion.IsSettled(shard, view.Leaders.FirstOrDefault(l => l.ShardId == shardId))
            ? ""
            : $"shard {shardId} has {voters} voters and no leader reporting them";
    }

    // Why the load has not yet had a write acknowledged since the split in each half of the split shard.
    private static string UnwrittenHalf(WriteLoad load, HashSet<string> before, ShardDescriptor kept, ShardDescriptor added)
    {
        var hashes = load.AcknowledgedKeys.Where(k => !before.Contains(k)).Select(k => KeyHash.Of(Encoding.UTF8.GetBytes(k))).ToList();
        foreach (var half in new[] { kept, added })
        {
            if (!hashes.Any(h => h >= half.HashStart && h < half.HashEnd))
            {
                return $"no write acknowledged in shard {half.ShardId} since the split";
            }
        }

        return "";
    }

    // UTC as the silos' logs have it, and the time into the test.
    private void Log(string line) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} ({_clock.Elapsed:mm\\:ss\\.f}) {line}");

    private async Task WaitAsync(MultiRaftClient client, Func<ClusterView, string> why, string what, WriteLoad? load = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = "";
        ClusterView? view = null;
        while (true)
        {
            load?.AssertNoFailure();
            try
            {
                view = await client.GetClusterAsync();
                last = why(view);
                if (last == "")
                {
                    Log($"{what} after {DateTime.UtcNow - deadline + Patience:s\\.f} s");
                    return;
                }
            }
            catch (MultiRaftException ex)
            {
                last = ex.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                SiloProcess.WriteLogs(_silos, output);
                output.WriteLine($"--- the last cluster view, at {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} Unix ms ---");
                output.WriteLine(view?.ToString() ?? "none");
                // The reason last as well as in the failure: CI may show only the output's tail.
                var failure = $"waited {Patience.TotalSeconds} s for {what}: {last}; processes: {SiloProcess.Describe(_silos)}";
                Log(failure);
                Assert.Fail(failure);
            }

            await Task.Delay(200);
        }
    }

    public void Dispose() => SiloProcess.DisposeAll(_silos, _root);
}
