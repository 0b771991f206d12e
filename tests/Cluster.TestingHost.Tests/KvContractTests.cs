using System.Text;
using MultiRaft.Client;

namespace MultiRaft.Cluster.TestingHost.Tests;

/// <summary>
/// The key-value contract through the Orleans client of the test cluster: each test uses keys of
/// its own, so they share one cluster.
/// </summary>
public sealed class KvContractTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private MultiRaftClient Client => fixture.Cluster.Client;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    [Fact]
    public async Task Put_then_get_returns_the_value_and_each_write_a_higher_version()
    {
        var key = B("kv/put-get");
        Assert.Null(await Client.GetAsync(key));

        var v1 = await Client.PutAsync(key, B("one"));
        var first = await Client.GetAsync(key);
        Assert.NotNull(first);
        Assert.Equal("one", S(first.Value));
        Assert.Equal(v1, first.Version);
        Assert.Equal("kv/put-get", S(first.Key));

        var v2 = await Client.PutAsync(key, B("two"));
        Assert.True(v2 > v1, $"second version {v2} not above the first {v1}");
        var second = await Client.GetAsync(key);
        Assert.Equal("two", S(second!.Value));
        Assert.Equal(v2, second.Version);

        // A stale read is served by any member; once it has caught up it has the same version.
        await Poll.UntilAsync("a stale read catches up", TimeSpan.FromSeconds(5), async () =>
        {
            var stale = await Client.GetAsync(key, ReadConsistency.Stale);
            return stale?.Version == v2 && S(stale.Value) == "two" ? null : $"stale read at version {stale?.Version}";
        });
    }

    [Fact]
    public async Task Compare_and_set_applies_on_the_current_version_and_refuses_any_other()
    {
        var key = B("kv/cas");
        var v1 = await Client.PutAsync(key, B("a"));

        var v2 = await Client.CompareAndSetAsync(key, B("b"), v1);
        Assert.True(v2 > v1);

        var stale = await Assert.ThrowsAsync<PreconditionFailedException>(() => Client.CompareAndSetAsync(key, B("c"), v1));
        Assert.Equal(v2, stale.CurrentVersion);

        // As a write option too.
        var viaOption = await Assert.ThrowsAsync<PreconditionFailedException>(
            () => Client.PutAsync(key, B("d"), new WriteOptions { IfVersion = v2 + 1000 }));
        Assert.Equal(v2, viaOption.CurrentVersion);
        var v3 = await Client.PutAsync(key, B("e"), new WriteOptions { IfVersion = v2 });

        var now = await Client.GetAsync(key);
        Assert.Equal("e", S(now!.Value));
        Assert.Equal(v3, now.Version);

        // Expecting "absent" of a present key fails with its version.
        var present = await Assert.ThrowsAsync<PreconditionFailedException>(() => Client.CompareAndSetAsync(key, B("f"), 0));
        Assert.Equal(v3, present.CurrentVersion);
    }

    [Fact]
    public async Task Create_only_writes_once()
    {
        var key = B("kv/create-only");
        var created = await Client.PutAsync(key, B("first"), new WriteOptions { IfAbsent = true });

        var again = await Assert.ThrowsAsync<PreconditionFailedException>(
            () => Client.PutAsync(key, B("second"), new WriteOptions { IfAbsent = true }));
        Assert.Equal(created, again.CurrentVersion);

        var entry = await Client.GetAsync(key);
        Assert.Equal("first", S(entry!.Value));
        Assert.Equal(created, entry.Version);

        // CAS from "absent" is create-only as well.
        var other = B("kv/create-only-cas");
        var v = await Client.CompareAndSetAsync(other, B("x"), 0);
        Assert.Equal(v, (await Client.GetAsync(other))!.Version);
    }

    [Fact]
    public async Task Delete_removes_the_key_once_and_honours_its_condition()
    {
        var key = B("kv/delete");
        var v1 = await Client.PutAsync(key, B("doomed"));

        var wrong = await Assert.ThrowsAsync<PreconditionFailedException>(
            () => Client.DeleteAsync(key, new WriteOptions { IfVersion = v1 + 1 }));
        Assert.Equal(v1, wrong.CurrentVersion);
        Assert.NotNull(await Client.GetAsync(key));

        Assert.True(await Client.DeleteAsync(key, new WriteOptions { IfVersion = v1 }));
        Assert.Null(await Client.GetAsync(key));
        Assert.False(await Client.DeleteAsync(key));

        // A key written again after a delete gets a version above the deleted one.
        var v2 = await Client.PutAsync(key, B("back"));
        Assert.True(v2 > v1);
    }

    [Fact]
    public async Task Scan_merges_every_shard_in_key_order_and_pages_with_start_after()
    {
        const string prefix = "scan/";
        var keys = Enumerable.Range(0, 40).Select(i => $"{prefix}{(i * 7919) % 1000:D4}").Distinct().ToArray();
        var view = await fixture.Cluster.ViewAsync();
        var shards = keys.Select(k => MultiRaftTestCluster.ShardOf(view, B(k))).Distinct().Count();
        Assert.True(shards == MultiRaftTestCluster.DataShards, $"the keys cover {shards} of {MultiRaftTestCluster.DataShards} shards");

        var versions = new Dictionary<string, ulong>();
        // Written in an order unlike key order, so that the scan's order is its own.
        foreach (var k in keys.Reverse())
        {
            versions[k] = await Client.PutAsync(B(k), B($"value of {k}"));
        }

        await Client.PutAsync(B("scan0-not-in-prefix"), B("x"));
        var expected = keys.Order(StringComparer.Ordinal).ToArray();

        var all = await Client.ScanAsync(B(prefix), limit: 1000);
        Assert.Equal(expected, all.Select(e => S(e.Key)));
        Assert.All(all, e =>
        {
            Assert.Equal($"value of {S(e.Key)}", S(e.Value));
            Assert.Equal(versions[S(e.Key)], e.Version);
        });

        // Pages of 7, each after the last key of the one before, give the same keys once each.
        var paged = new List<string>();
        ReadOnlyMemory<byte> after = default;
        while (true)
        {
            var page = await Client.ScanAsync(B(prefix), limit: 7, startAfter: after);
            Assert.True(page.Count <= 7);
            paged.AddRange(page.Select(e => S(e.Key)));
            if (page.Count < 7)
            {
                break;
            }

            after = page[^1].Key;
        }

        Assert.Equal(expected, paged);
    }
}
