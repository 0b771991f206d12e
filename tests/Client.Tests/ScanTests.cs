using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Client.Tests.Scripts;
using Op = MultiRaft.Grains.Interfaces.Protos.ClientRequest.OpOneofCase;

namespace MultiRaft.Client.Tests;

// Ordered scans fan out to every data shard and merge.
public sealed class ScanTests
{
    [Fact]
    public async Task A_scan_merges_every_data_shard_in_unsigned_key_order_and_takes_the_limit()
    {
        var cluster = new FakeCluster(silos: 1, dataShards: 3);
        // Keys with bytes above 0x7F sort after ASCII when compared unsigned.
        var keys = new List<byte[]>();
        for (var i = 0; i < 40; i++)
        {
            keys.Add([(byte)'p', (byte)(i % 2 == 0 ? 0x30 + i : 0x80 + i), (byte)i]);
        }

        keys.Add([(byte)'q', 1]);
        var shards = cluster.View.Shards.Skip(1).ToList();
        cluster.Script = (_, request, _) =>
        {
            var scan = request.Scan;
            var shard = shards.Single(s => s.ShardId == scan.Route.ShardId);
            var response = new ClientResponse { Status = ResponseStatus.Ok };
            response.Items.AddRange(keys
                .Where(k => KeyHash.Of(k) >= shard.HashStart && KeyHash.Of(k) < shard.HashEnd)
                .Where(k => k.AsSpan().StartsWith(scan.Prefix.Span) && k.AsSpan().SequenceCompareTo(scan.StartAfter.Span) > 0)
                .Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))
                .Take((int)scan.Limit)
                .Select(k => new KvPair { Key = ByteString.CopyFrom(k), Value = ByteString.CopyFrom(k), Version = k[2] }));
            return new ValueTask<ClientResponse>(response);
        };
        await using var client = cluster.NewClient();
        var startAfter = new byte[] { (byte)'p', 0x31 };

        var result = await client.ScanAsync("p"u8.ToArray(), 7, startAfter, cancellationToken: TestContext.Current.CancellationToken);

        var expected = keys.Where(k => k[0] == 'p' && k.AsSpan().SequenceCompareTo(startAfter) > 0)
            .Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).Take(7).ToList();
        Assert.Equal(expected.Select(Convert.ToHexString), result.Select(e => Convert.ToHexString(e.Key.Span)));
        Assert.Equal(expected.Select(k => (ulong)k[2]), result.Select(e => e.Version));
        Assert.Equal([1ul, 2ul, 3ul], cluster.Of(Op.Scan).Select(r => r.Request.Scan.Route.ShardId).Order());
        Assert.All(cluster.Of(Op.Scan), r => Assert.Equal(7u, r.Request.Scan.Limit));
    }

    [Fact]
    public async Task Keys_route_to_the_shard_owning_their_hash()
    {
        var cluster = new FakeCluster(silos: 1, dataShards: 4);
        cluster.Script = Reply(ResponseStatus.NotFound);
        await using var client = cluster.NewClient();
        var keys = Enumerable.Range(0, 20).Select(i => System.Text.Encoding.UTF8.GetBytes($"key{i:D8}")).ToList();

        foreach (var key in keys)
        {
            await client.GetAsync(key, cancellationToken: TestContext.Current.CancellationToken);
        }

        var owners = keys.Select(k => cluster.View.Shards.Single(s => s.ShardId != 0 && KeyHash.Of(k) >= s.HashStart && KeyHash.Of(k) < s.HashEnd).ShardId);
        Assert.Equal(owners, cluster.Of(Op.Get).Select(r => r.Request.Get.Route.ShardId));
    }

    [Fact]
    public async Task A_scan_planned_before_a_split_is_planned_again_and_finds_the_keys_that_moved()
    {
        var cluster = new FakeCluster(silos: 1, dataShards: 2);
        var keys = Enumerable.Range(0, 200).Select(i => System.Text.Encoding.UTF8.GetBytes($"p{i:D4}")).ToList();
        var before = cluster.View.Clone();
        // The cluster the client does not know yet: shard 2 split at 3/4 of the space into shard 3.
        var after = cluster.View.Clone();
        after.RouterAppliedIndex++;
        var two = after.Shards.Single(s => s.ShardId == 2);
        var three = two.Clone();
        three.ShardId = 3;
        three.HashStart = two.HashEnd = KeyHash.SpaceEnd / 4 * 3;
        two.Epoch.RangeVer = three.Epoch.RangeVer = 2;
        after.Shards.Add(three);
        after.Leaders.Add(new LeaderHint { ShardId = 3, ReplicaId = 31, SiloId = "silo-a", Term = 1 });
        var split = 0;
        cluster.ViewScript = _ => FakeCluster.ViewAnswer(Volatile.Read(ref split) == 0 ? before : after);
        cluster.Script = (_, request, _) =>
        {
            var scan = request.Scan;
            // The split happens as the first scan reaches shard 2.
            if (scan.Route.ShardId == 2)
            {
                Interlocked.Exchange(ref split, 1);
            }

            var shard = after.Shards.Single(s => s.ShardId == scan.Route.ShardId);
            if (scan.Route.Epoch.RangeVer < shard.Epoch.RangeVer)
            {
                return new ValueTask<ClientResponse>(new ClientResponse { Status = ResponseStatus.StaleEpoch, Shard = shard.Clone() });
            }

            var response = new ClientResponse { Status = ResponseStatus.Ok };
            response.Items.AddRange(keys
                .Where(k => KeyHash.Of(k) >= shard.HashStart && KeyHash.Of(k) < shard.HashEnd)
                .Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))
                .Take((int)scan.Limit)
                .Select(k => new KvPair { Key = ByteString.CopyFrom(k), Value = ByteString.CopyFrom(k), Version = 1 }));
            return new ValueTask<ClientResponse>(response);
        };
        await using var client = cluster.NewClient();

        var result = await client.ScanAsync("p"u8.ToArray(), 1000, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(keys, k => KeyHash.Of(k) >= three.HashStart);
        Assert.Equal(keys.Select(Convert.ToHexString), result.Select(e => Convert.ToHexString(e.Key.Span)));
        Assert.Contains(cluster.Of(Op.Scan), r => r.Request.Scan.Route.ShardId == 3);
    }
}
