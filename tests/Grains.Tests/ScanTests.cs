using MultiRaft.Grains.Kv;

namespace MultiRaft.Grains.Tests;

/// <summary>Ordered scans: prefix, limit, start-after, and byte-wise (not text) order.</summary>
public sealed class ScanTests
{
    private readonly KvStateMachine m = new();

    private void Put(params byte[][] keys)
    {
        foreach (var k in keys)
        {
            m.Apply(m.LastAppliedIndex + 1, KvCommand.Put(0, 0, k, [(byte)k.Length], KvLimits.Default));
        }
    }

    private static string Keys(IReadOnlyList<KvItem> items) =>
        string.Join(",", items.Select(i => Convert.ToHexString(i.Key.Span)));

    [Fact]
    public void Keys_sort_by_unsigned_bytes_with_shorter_prefixes_first()
    {
        Put([0xFF], [0x80, 0x00], [0x00], [0x7F], [0x80], [0xC3, 0x28], [0x00, 0x00]);
        Assert.Equal("00,0000,7F,80,8000,C328,FF", Keys(m.Scan([], 100)));
    }

    [Fact]
    public void Prefix_selects_exactly_the_keys_that_start_with_it()
    {
        Put("a"u8.ToArray(), "ab"u8.ToArray(), "abc"u8.ToArray(), "abd"u8.ToArray(), "ac"u8.ToArray(), "b"u8.ToArray());
        Assert.Equal(Hex("ab", "abc", "abd"), Keys(m.Scan("ab"u8, 100)));
        Assert.Equal(Hex("abc"), Keys(m.Scan("abc"u8, 100)));
        Assert.Equal("", Keys(m.Scan("abz"u8, 100)));
        Assert.Equal("", Keys(m.Scan("c"u8, 100)));
    }

    [Fact]
    public void Prefix_ending_in_FF_bytes_reaches_the_end_of_its_range()
    {
        Put([0x01, 0xFF], [0x01, 0xFF, 0x00], [0x01, 0xFF, 0xFF], [0x02], [0xFF, 0xFF], [0xFF, 0xFF, 0x01]);
        Assert.Equal("01FF,01FF00,01FFFF", Keys(m.Scan([0x01, 0xFF], 100)));
        Assert.Equal("FFFF,FFFF01", Keys(m.Scan([0xFF, 0xFF], 100)));
    }

    [Fact]
    public void Limit_cuts_in_key_order()
    {
        Put("d"u8.ToArray(), "a"u8.ToArray(), "c"u8.ToArray(), "b"u8.ToArray());
        Assert.Equal(Hex("a", "b"), Keys(m.Scan([], 2)));
        Assert.Empty(m.Scan([], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Scan([], -1));
    }

    [Fact]
    public void StartAfter_is_exclusive_and_need_not_be_a_key()
    {
        Put("a"u8.ToArray(), "b"u8.ToArray(), "c"u8.ToArray(), "d"u8.ToArray());
        Assert.Equal(Hex("c", "d"), Keys(m.Scan([], 10, "b"u8)));
        Assert.Equal(Hex("c"), Keys(m.Scan([], 1, "bb"u8)));
        Assert.Equal("", Keys(m.Scan([], 10, "d"u8)));
    }

    [Fact]
    public void StartAfter_combines_with_prefix_on_either_side_of_it()
    {
        Put("a"u8.ToArray(), "p1"u8.ToArray(), "p2"u8.ToArray(), "p3"u8.ToArray(), "q"u8.ToArray());
        Assert.Equal(Hex("p3"), Keys(m.Scan("p"u8, 10, "p2"u8)));
        Assert.Equal(Hex("p1", "p2", "p3"), Keys(m.Scan("p"u8, 10, "a"u8)));
        Assert.Equal("", Keys(m.Scan("p"u8, 10, "q"u8)));
    }

    [Fact]
    public void Pages_of_a_scan_chain_into_the_full_scan()
    {
        var rng = new Random(3);
        for (var i = 0; i < 300; i++)
        {
            var k = new byte[1 + rng.Next(3)];
            rng.NextBytes(k);
            k[0] = (byte)(k[0] % 2 == 0 ? 0x10 : 0x90);
            Put(k);
        }

        var all = m.Scan([0x90], int.MaxValue);
        var paged = new List<KvItem>();
        var after = Array.Empty<byte>();
        while (m.Scan([0x90], 7, after) is { Count: > 0 } page)
        {
            paged.AddRange(page);
            after = page[^1].Key.ToArray();
        }

        Assert.Equal(Keys(all), Keys(paged));
        Assert.True(all.Count > 80, $"only {all.Count} keys");
        Assert.All(all, i => Assert.Equal(0x90, i.Key.Span[0]));
    }

    [Fact]
    public void Scan_returns_values_and_versions()
    {
        m.Apply(4, KvCommand.Put(0, 0, "k"u8, "v"u8, KvLimits.Default));
        var item = Assert.Single(m.Scan("k"u8, 1));
        Assert.Equal("v"u8.ToArray(), item.Value.ToArray());
        Assert.Equal(4UL, item.Version);
    }

    private static string Hex(params string[] keys) =>
        string.Join(",", keys.Select(k => Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(k))));
}
