using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;
using MultiRaft.Silo.Engine;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// Idle shards quiesce (issue 15) and keep Raft's guarantees, on three real silos with two
/// thousand shards: once settled, the idle cluster sends almost no Raft traffic; a write wakes
/// its shard and is answered; when a silo dies, the shards it led (quiesced, so nobody heard
/// their heartbeats stop) elect new leaders on the survivors because the silo pair's liveness
/// stops, and go quiet again while it stays down; a quiesced leader never answers a read without a
/// quorum; and two silos restarted from their WALs serve every shard again and go quiet.
/// </summary>
public sealed class QuiescenceTests
{
    private const int Shards = 2000;

    [Fact]
    public async Task Thousands_of_idle_shards_go_quiet_and_wake_on_writes_and_on_a_leaders_death_without_stale_reads()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: Shards);
        var view = await cluster.WaitBalancedAsync(TimeSpan.FromSeconds(240));
        var engines = Enumerable.Range(0, 3).Select(i => cluster.Services(i).GetRequiredService<SiloEngine>()).ToArray();

        // Every data replica of every silo quiesces once nothing moves.
        await WaitAsync(() => engines.All(e => QuiescedDataReplicas(e) == Shards), TimeSpan.FromSeconds(60),
            () => $"quiesced: {string.Join(", ", engines.Select(QuiescedDataReplicas))} of {Shards} per silo");

        // Idle: no per-shard traffic.
        await AssertQuietAsync(engines, "with every data shard idle");

        var keys = KeysPerShard(view);
        var written = new Dictionary<string, ulong>();
        await using var client = cluster.NewClient(TimeSpan.FromSeconds(20));

        // A write to an idle shard wakes it and is answered, and reads back.
        foreach (var shard in keys.Keys.Take(30))
        {
            var version = written[keys[shard]] = await client.PutAsync(Key(keys[shard]), Encoding.UTF8.GetBytes("awake"));
            var got = await client.GetAsync(Key(keys[shard]));
            Assert.Equal(version, got?.Version);
            Assert.Equal("awake", got is null ? null : Encoding.UTF8.GetString(got.Value.Span));
        }

        // The woken shards go quiet again.
        await WaitAsync(() => engines.All(e => QuiescedDataReplicas(e) == Shards), TimeSpan.FromSeconds(30),
            () => $"quiesced again: {string.Join(", ", engines.Select(QuiescedDataReplicas))} of {Shards} per silo");

        // s3 dies. The shards it led were quiesced: only the silo pair's liveness tells s1 and s2.
        var ledByS3 = view.Leaders.Where(l => l.ShardId != 0 && l.SiloId == "s3").Select(l => l.ShardId).ToList();
        Assert.True(ledByS3.Count > Shards / 4, $"s3 led {ledByS3.Count} shards");
        var suspicionsBefore = SuspicionsOf(cluster, 0) + SuspicionsOf(cluster, 1);
        await cluster.StopSiloAsync(2);
        await WaitAsync(() => ledByS3.All(s => engines[0].Leads(s) || engines[1].Leads(s)), TimeSpan.FromSeconds(60),
            () => $"{ledByS3.Count(s => !engines[0].Leads(s) && !engines[1].Leads(s))} of the {ledByS3.Count} shards s3 led have no leader on s1 or s2");
        Assert.True(SuspicionsOf(cluster, 0) + SuspicionsOf(cluster, 1) > suspicionsBefore, "neither survivor suspected s3");
        foreach (var shard in ledByS3.Take(20))
        {
            var version = written[keys[shard]] = await client.PutAsync(Key(keys[shard]), Encoding.UTF8.GetBytes("after-s3"));
            Assert.Equal(version, (await client.GetAsync(Key(keys[shard])))?.Version);
        }

        // With s3 still down, the shards that elected a leader or took a write go quiet again
        // without waiting for s3's replicas (and their leaders stop trying to hand leadership back
        // to them), so the survivors send next to nothing however long the outage lasts.
        await WaitAsync(() => engines.Take(2).All(e => QuiescedDataReplicas(e) == Shards), TimeSpan.FromSeconds(30),
            () => $"quiesced with s3 down: {string.Join(", ", engines.Take(2).Select(QuiescedDataReplicas))} of {Shards} on s1, s2");
        await AssertQuietAsync(engines[..2], "with s3 down and every data shard idle");

        // A shard led by s1 that stayed quiesced through s3's death: with s2 gone too, its leader
        // holds no lease and has no quorum, so a linearizable read must fail, never be served.
        var quiet = view.Leaders.Where(l => l.ShardId != 0 && l.SiloId == "s1").Select(l => l.ShardId)
            .FirstOrDefault(s => engines[0].Find(s) is { Node.IsQuiesced: true, IsLeader: true });
        Assert.True(quiet != 0, "no shard led by s1 stayed quiesced through s3's death");
        await cluster.StopSiloAsync(1);
        await using var impatient = cluster.NewClient(TimeSpan.FromSeconds(3));
        var read = await Record.ExceptionAsync(() => impatient.GetAsync(Key(keys[quiet])));
        Assert.NotNull(read);

        // Both come back from their WALs (2,000 replicas each): every shard is served again, each
        // with what it held. The time is printed; the benchmark holds it to its target.
        var restart = Stopwatch.StartNew();
        await Task.WhenAll(cluster.RestartSiloAsync(1), cluster.RestartSiloAsync(2));
        await using var again = cluster.NewClient(TimeSpan.FromSeconds(30));
        await Parallel.ForEachAsync(keys.Values, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (key, token) =>
        {
            var got = await again.GetAsync(Key(key), cancellationToken: token);
            Assert.Equal(written.GetValueOrDefault(key), got?.Version ?? 0);
            Assert.True(await again.PutAsync(Key(key), Encoding.UTF8.GetBytes("restarted"), cancellationToken: token) > (got?.Version ?? 0));
        });
        TestContext.Current.TestOutputHelper?.WriteLine($"s2 and s3 restarted; every one of {Shards} shards read and written in {restart.Elapsed.TotalSeconds:F1} s");

        // The restarted replicas were told their leader by one quiesce heartbeat each (or caught
        // up first where they lacked entries): every replica of every silo goes quiet again.
        var restarted = Enumerable.Range(0, 3).Select(i => cluster.Services(i).GetRequiredService<SiloEngine>()).ToArray();
        await WaitAsync(() => restarted.All(e => QuiescedDataReplicas(e) == Shards), TimeSpan.FromSeconds(60),
            () => $"quiesced after the restarts: {string.Join(", ", restarted.Select(QuiescedDataReplicas))} of {Shards} per silo");
    }

    [Fact]
    public async Task Quiesced_shards_wake_to_carry_out_membership_changes_and_go_quiet_again()
    {
        const int shards = 48;
        await using var cluster = await InProcessCluster.StartAsync(silos: 3, shards: shards);
        var before = await cluster.WaitBalancedAsync(TimeSpan.FromSeconds(120));
        var engines = Enumerable.Range(0, 3).Select(i => cluster.Services(i).GetRequiredService<SiloEngine>()).ToList();
        await WaitAsync(() => engines.All(e => QuiescedDataReplicas(e) == shards), TimeSpan.FromSeconds(30),
            () => $"quiesced: {string.Join(", ", engines.Select(QuiescedDataReplicas))} of {shards} per silo");

        // A fourth silo: the balancer moves a quarter of the replicas to it, each move a learner,
        // a snapshot and a joint change proposed by a leader that was asleep.
        await cluster.JoinSiloAsync(shards);
        var after = await cluster.WaitBalancedAsync(TimeSpan.FromSeconds(120));
        var moved = after.Shards.Where(s => s.ShardId != 0 && s.Replicas.Any(r => r.SiloId == "s4")).ToList();
        Assert.True(moved.Count >= shards * 3 / 4 - 1, $"{moved.Count} shards moved a replica to s4");
        Assert.All(moved, s => Assert.NotEqual(before.Shards.Single(b => b.ShardId == s.ShardId).Epoch, s.Epoch));

        engines.Add(cluster.Services(3).GetRequiredService<SiloEngine>());
        await WaitAsync(() => engines.All(e => QuiescedDataReplicas(e) == e.Replicas.Count(r => r.ShardId != 0)), TimeSpan.FromSeconds(30),
            () => $"quiesced: {string.Join(", ", engines.Select(e => $"{QuiescedDataReplicas(e)}/{e.Replicas.Count(r => r.ShardId != 0)}"))}");
        Assert.Equal(moved.Count, engines[3].Replicas.Count(r => r.ShardId != 0));

        // Every shard still takes writes, the moved ones with their new members.
        var keys = KeysPerShard(after);
        await using var client = cluster.NewClient(TimeSpan.FromSeconds(20));
        foreach (var key in keys.Values)
        {
            var version = await client.PutAsync(Key(key), Encoding.UTF8.GetBytes("moved"));
            Assert.Equal(version, (await client.GetAsync(Key(key)))?.Version);
        }
    }

    private static byte[] Key(string key) => Encoding.UTF8.GetBytes(key);

    // Awake, 2,000 groups would send about 2 x 2 x 2,000 heartbeats and answers per tick (50 ms)
    // per silo; quiesced, only the router's own shard talks.
    private static async Task AssertQuietAsync(SiloEngine[] engines, string when)
    {
        var sentBefore = engines.Select(e => Interlocked.Read(ref e.Stats.MessagesSent)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        for (var i = 0; i < engines.Length; i++)
        {
            var sent = Interlocked.Read(ref engines[i].Stats.MessagesSent) - sentBefore[i];
            Assert.True(sent < 400, $"silo {i + 1} sent {sent} Raft messages in 2 s {when}");
        }
    }

    private static int QuiescedDataReplicas(SiloEngine engine) =>
        engine.Replicas.Count(r => r.ShardId != 0 && r.Node.IsQuiesced);

    private static long SuspicionsOf(InProcessCluster cluster, int silo) =>
        Interlocked.Read(ref cluster.Services(silo).GetRequiredService<SiloEngine>().Stats.Suspicions);

    // One key of every data shard, found by hash.
    private static Dictionary<ulong, string> KeysPerShard(ClusterView view)
    {
        var shards = view.Shards.Where(s => s.ShardId != 0).OrderBy(s => s.HashStart).ToList();
        var starts = shards.Select(s => s.HashStart).ToArray();
        var keys = new Dictionary<ulong, string>();
        for (var i = 0; keys.Count < shards.Count; i++)
        {
            var key = $"quiet/{i}";
            var h = KeyHash.Of(Encoding.UTF8.GetBytes(key));
            var at = Array.BinarySearch(starts, h);
            var shard = shards[at >= 0 ? at : ~at - 1];
            keys.TryAdd(shard.ShardId, key);
        }

        return keys;
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan timeout, Func<string> why)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {timeout}: {why()}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
