using System.Text;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using static MultiRaft.Client.Tests.Scripts;
using Op = MultiRaft.Grains.Interfaces.Protos.ClientRequest.OpOneofCase;

namespace MultiRaft.Client.Tests;

/// <summary>
/// A client's write sessions kept in a file across its restarts: reused without an opening, at
/// sequences above any an earlier life sent; a torn or corrupt file costs openings, never a
/// repeated sequence; one process per file.
/// </summary>
public sealed class SessionFileTests : IDisposable
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("key-1");
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("multiraft-sessions-");

    private string FilePath => Path.Combine(_dir.FullName, "client-sessions");

    public void Dispose() => _dir.Delete(recursive: true);

    private static (ulong Session, ulong Sequence)[] Writes(FakeCluster cluster) =>
        [.. cluster.Of(Op.Write).Select(w => (w.Request.Write.SessionId, w.Request.Write.Sequence))];

    private async Task WriteTwiceAsync(FakeCluster cluster)
    {
        await using var client = cluster.NewClient(o => o.SessionFile = FilePath);
        await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken);
        await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_restarted_client_reuses_its_session_at_sequences_above_every_earlier_life()
    {
        var cluster = new FakeCluster(silos: 1);
        await WriteTwiceAsync(cluster);
        await WriteTwiceAsync(cluster);
        await WriteTwiceAsync(cluster);

        // One opening in all; lives 2 and 3 continue after epoch << 40 (epochs 2 and 3).
        Assert.Equal(1, cluster.SessionsOpened);
        Assert.Equal([(100, 1), (100, 2), (100, (2UL << 40) + 1), (100, (2UL << 40) + 2), (100, (3UL << 40) + 1), (100, (3UL << 40) + 2)],
            Writes(cluster));
    }

    [Fact]
    public async Task A_reused_session_the_cluster_expired_is_opened_again_and_not_reused_after_the_next_restart()
    {
        var cluster = new FakeCluster(silos: 1);
        await WriteTwiceAsync(cluster);
        cluster.Script = InTurn(Reply(ResponseStatus.SessionExpired), Reply(ResponseStatus.Ok));
        await WriteTwiceAsync(cluster);
        cluster.Script = Reply(ResponseStatus.Ok);
        await WriteTwiceAsync(cluster);

        Assert.Equal(2, cluster.SessionsOpened);
        Assert.Equal([(100, 1), (100, 2), (100, (2UL << 40) + 1), (101, 1), (101, 2), (101, (3UL << 40) + 1), (101, (3UL << 40) + 2)],
            Writes(cluster));
    }

    [Fact]
    public async Task A_torn_record_ends_what_is_read_and_a_corrupt_header_discards_every_session()
    {
        var cluster = new FakeCluster(silos: 1, dataShards: 2);
        var other = KeyOffTheShardOf(cluster, Key);
        await using (var client = cluster.NewClient(o => o.SessionFile = FilePath))
        {
            await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken);
            await client.PutAsync(other, other, cancellationToken: TestContext.Current.CancellationToken);
        }

        // Header (20 bytes) and two records (20 each); the second record loses its last byte.
        Assert.Equal(60, new FileInfo(FilePath).Length);
        using (var f = File.OpenWrite(FilePath))
        {
            f.SetLength(59);
        }

        await using (var client = cluster.NewClient(o => o.SessionFile = FilePath))
        {
            await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken);
            await client.PutAsync(other, other, cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, cluster.SessionsOpened);
        var byKey = cluster.Of(Op.Write).Skip(2).Select(w => (w.Request.Write.SessionId, w.Request.Write.Sequence)).ToArray();
        Assert.Equal((100UL, (2UL << 40) + 1), byKey[0]);
        Assert.Equal((102UL, 1UL), byKey[1]);

        // A flipped bit in the header's epoch: no session is continued from an unknown epoch.
        var bytes = File.ReadAllBytes(FilePath);
        bytes[8] ^= 1;
        File.WriteAllBytes(FilePath, bytes);
        await using (var client = cluster.NewClient(o => o.SessionFile = FilePath))
        {
            await client.PutAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal(4, cluster.SessionsOpened);
        Assert.Equal((103UL, 1UL), Writes(cluster)[^1]);
    }

    [Fact]
    public async Task Sessions_with_one_id_on_many_shards_are_each_kept()
    {
        // Session ids are log indexes of their shard: every shard here answers 7.
        var cluster = new FakeCluster(silos: 1, dataShards: 16);
        cluster.SessionScript = (_, _, _) => new(new ClientResponse { Status = ResponseStatus.Ok, SessionId = 7 });
        var keys = Enumerable.Range(0, 400).Select(i => Encoding.UTF8.GetBytes($"k{i}")).ToArray();
        var shards = keys.Select(k => cluster.View.Shards.Single(s => s.ShardId != 0 && Holds(s, KeyHash.Of(k))).ShardId).Distinct().Count();
        Assert.Equal(16, shards);
        for (var life = 0; life < 2; life++)
        {
            await using var client = cluster.NewClient(o => o.SessionFile = FilePath);
            foreach (var key in keys)
            {
                await client.PutAsync(key, key, cancellationToken: TestContext.Current.CancellationToken);
            }
        }

        // Opened once per shard in the first life; the second life opens none.
        Assert.Equal(16, cluster.Of(Op.OpenSession).Count);
        Assert.Equal(20 + (16 * 20), new FileInfo(FilePath).Length);
    }

    [Fact]
    public async Task A_second_client_on_the_same_file_is_refused_while_the_first_holds_it()
    {
        var cluster = new FakeCluster(silos: 1);
        await using var first = cluster.NewClient(o => o.SessionFile = FilePath);
        var refused = Assert.Throws<IOException>(() => cluster.NewClient(o => o.SessionFile = FilePath));
        Assert.Contains("in use by another process", refused.Message, StringComparison.Ordinal);
    }

    // A key of another data shard than the one holding `key`.
    private static byte[] KeyOffTheShardOf(FakeCluster cluster, byte[] key)
    {
        var shards = cluster.View.Shards.Where(s => s.ShardId != 0).ToList();
        var of = shards.Single(s => Holds(s, KeyHash.Of(key)));
        for (var i = 0; ; i++)
        {
            var other = Encoding.UTF8.GetBytes($"other-{i}");
            if (!Holds(of, KeyHash.Of(other)))
            {
                return other;
            }
        }
    }

    private static bool Holds(ShardDescriptor shard, ulong hash) => hash >= shard.HashStart && hash < shard.HashEnd;
}
