using System.Text;
using MultiRaft.Client;

namespace MultiRaft.Cluster.Tests;

/// <summary>The KV contract through the .NET client against three real silos.</summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class KvThroughClientTests(ThreeSiloFixture fixture)
{
    private static ReadOnlyMemory<byte> B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Put_then_get_returns_the_value_and_its_version()
    {
        await using var client = fixture.Cluster.NewClient();
        var v1 = await client.PutAsync(B("client/a"), B("one"));
        var got = await client.GetAsync(B("client/a"));
        Assert.NotNull(got);
        Assert.Equal("one", Encoding.UTF8.GetString(got.Value.Span));
        Assert.Equal(v1, got.Version);

        var v2 = await client.PutAsync(B("client/a"), B("two"));
        Assert.True(v2 > v1, $"versions must increase: {v1} then {v2}");
        Assert.Equal("two", Encoding.UTF8.GetString((await client.GetAsync(B("client/a")))!.Value.Span));
    }

    [Fact]
    public async Task Get_of_a_missing_key_is_null_and_delete_reports_absence()
    {
        await using var client = fixture.Cluster.NewClient();
        Assert.Null(await client.GetAsync(B("client/never")));
        Assert.False(await client.DeleteAsync(B("client/never")));
        await client.PutAsync(B("client/del"), B("x"));
        Assert.True(await client.DeleteAsync(B("client/del")));
        Assert.Null(await client.GetAsync(B("client/del")));
    }

    [Fact]
    public async Task Compare_and_set_applies_only_on_the_expected_version()
    {
        await using var client = fixture.Cluster.NewClient();
        var v1 = await client.CompareAndSetAsync(B("client/cas"), B("first"), expectedVersion: 0);
        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(() => client.CompareAndSetAsync(B("client/cas"), B("lost"), expectedVersion: 0));
        Assert.Equal(v1, refused.CurrentVersion);
        var v2 = await client.CompareAndSetAsync(B("client/cas"), B("second"), expectedVersion: v1);
        Assert.True(v2 > v1);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.CompareAndSetAsync(B("client/cas"), B("stale"), expectedVersion: v1));
        Assert.Equal("second", Encoding.UTF8.GetString((await client.GetAsync(B("client/cas")))!.Value.Span));
    }

    [Fact]
    public async Task Create_only_refuses_an_existing_key()
    {
        await using var client = fixture.Cluster.NewClient();
        await client.PutAsync(B("client/create"), B("v"), new WriteOptions { IfAbsent = true });
        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.PutAsync(B("client/create"), B("w"), new WriteOptions { IfAbsent = true }));
        Assert.Equal("v", Encoding.UTF8.GetString((await client.GetAsync(B("client/create")))!.Value.Span));
    }

    [Fact]
    public async Task Scan_merges_every_shard_in_key_order()
    {
        await using var client = fixture.Cluster.NewClient();
        var keys = Enumerable.Range(0, 40).Select(i => $"scan/{i:D3}").ToArray();
        await Task.WhenAll(keys.Select(k => client.PutAsync(B(k), B("v" + k))));
        var all = await client.ScanAsync(B("scan/"), limit: 100);
        Assert.Equal(keys, all.Select(e => Encoding.UTF8.GetString(e.Key.Span)));
        var page = await client.ScanAsync(B("scan/"), limit: 5, startAfter: B("scan/009"));
        Assert.Equal(["scan/010", "scan/011", "scan/012", "scan/013", "scan/014"], page.Select(e => Encoding.UTF8.GetString(e.Key.Span)));
    }

    [Fact]
    public async Task Every_replica_of_every_shard_ends_with_the_same_state()
    {
        await using var client = fixture.Cluster.NewClient();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.PutAsync(B($"conv/{i}"), B($"value {i}"))));
        var digests = await fixture.Cluster.WaitConvergedAsync(replicas: 3, TimeSpan.FromSeconds(30));
        Assert.Equal(4, digests.Count);
    }
}
