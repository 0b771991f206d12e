using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Client;
using MultiRaft.Http;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// The HTTP API's shortcut for writes on the silo that leads the key's shard: only that silo
/// takes it, and its answers are the client's.
/// </summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class LocalWritesTests(ThreeSiloFixture fixture)
{
    private static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private ILocalWrites Shortcut(int silo) => fixture.Cluster.Services(silo).GetRequiredService<ILocalWrites>();

    /// <summary>Puts through every silo's shortcut: exactly one (the leader's) takes it.</summary>
    private async Task<(int Silo, ulong Version)> PutOnLeaderAsync(byte[] key, byte[] value)
    {
        var taken = new List<(int, ulong)>();
        for (var i = 0; i < 3; i++)
        {
            if (await Shortcut(i).TryWriteAsync(key, value, default, CancellationToken.None) is { } answer)
            {
                taken.Add((i, answer.Version));
            }
        }

        return Assert.Single(taken);
    }

    [Fact]
    public async Task Only_the_leading_silo_takes_a_write_and_every_replica_applies_it()
    {
        await using var client = fixture.Cluster.NewClient();
        for (var k = 0; k < 8; k++)
        {
            var key = Bytes($"local/{k}");
            var (_, version) = await PutOnLeaderAsync(key, Bytes($"v{k}"));
            var entry = await client.GetAsync(key);
            Assert.NotNull(entry);
            Assert.Equal(Bytes($"v{k}"), entry.Value.ToArray());
            Assert.Equal(version, entry.Version);
        }
    }

    [Fact]
    public async Task Conditions_and_deletes_answer_as_the_client_does()
    {
        var key = Bytes("local/cond");
        var (leader, version) = await PutOnLeaderAsync(key, Bytes("a"));
        var shortcut = Shortcut(leader);

        var absent = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            shortcut.TryWriteAsync(key, Bytes("b"), new WriteOptions { IfAbsent = true }, CancellationToken.None).AsTask());
        Assert.Equal(version, absent.CurrentVersion);
        var stale = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            shortcut.TryWriteAsync(key, Bytes("b"), new WriteOptions { IfVersion = version + 1000 }, CancellationToken.None).AsTask());
        Assert.Equal(version, stale.CurrentVersion);

        var swapped = await shortcut.TryWriteAsync(key, Bytes("c"), new WriteOptions { IfVersion = version }, CancellationToken.None);
        Assert.True(swapped is { Found: true } && swapped.Value.Version > version);
        Assert.Equal(new LocalWriteAnswer(true, swapped.Value.Version),
            await shortcut.TryWriteAsync(key, null, new WriteOptions { IfVersion = swapped.Value.Version }, CancellationToken.None));
        Assert.Equal(new LocalWriteAnswer(false, 0), await shortcut.TryWriteAsync(key, null, default, CancellationToken.None));

        await using var client = fixture.Cluster.NewClient();
        Assert.Null(await client.GetAsync(key));
    }

    [Fact]
    public async Task A_write_with_an_idempotency_key_is_left_to_the_client()
    {
        var key = Bytes("local/idem");
        var (leader, _) = await PutOnLeaderAsync(key, Bytes("a"));
        var declined = await Shortcut(leader).TryWriteAsync(key, Bytes("b"), new WriteOptions { IdempotencyKey = "t-1" }, CancellationToken.None);
        Assert.Null(declined);

        await using var client = fixture.Cluster.NewClient();
        Assert.Equal(Bytes("a"), (await client.GetAsync(key))!.Value.ToArray());
    }
}
