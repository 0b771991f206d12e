using System.Security.Cryptography;
using System.Text;
using Orleans.Runtime;

namespace MultiRaft.GrainStorage.Tests;

public sealed class GrainStateKeyTests
{
    private const int Limit = MultiRaftGrainStorageOptions.DefaultMaxKeyBytes;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[] b) => Encoding.UTF8.GetString(b);

    private static string Key(string provider, string type, string state, string grainKey, int limit = Limit) =>
        S(GrainStateKey.Of(B(provider), B(type), B(state), B(grainKey), limit));

    private static string Sha256Hex(string s) => Convert.ToHexStringLower(SHA256.HashData(B(s)));

    [Fact]
    public void The_plain_key_length_prefixes_the_provider_grain_type_state_name_and_grain_key()
    {
        Assert.Equal("grain-state/5:store/7:counter/4:note/3:abc", Key("store", "counter", "note", "abc"));
        Assert.Equal("grain-state/7:Default/7:counter/4:note/0:", Key("Default", "counter", "note", ""));
        // Byte lengths, not characters.
        Assert.Equal("grain-state/5:store/1:t/1:s/2:é", Key("store", "t", "s", "é"));
    }

    [Fact]
    public void The_key_of_a_grain_id_is_made_from_its_type_and_key_bytes()
    {
        var id = GrainId.Create("notegrain", "user/42");
        Assert.Equal("grain-state/5:store/9:notegrain/4:note/7:user/42", S(GrainStateKey.Of("store", "note", id, Limit)));
    }

    [Theory]
    // Parts that hold the separators or look like a length cannot be shifted into one another.
    [InlineData("a/b", "c", "a", "b/c")]
    [InlineData("1:a/1:b", "1:c", "1:a", "1:b/1:c")]
    [InlineData("a", "b/c/d", "a/b/c", "d")]
    public void Parts_that_would_concatenate_alike_get_different_keys(string type1, string key1, string type2, string key2)
    {
        Assert.Equal(type1 + "/" + key1, type2 + "/" + key2);
        Assert.NotEqual(Key("p", type1, "s", key1), Key("p", type2, "s", key2));
    }

    [Fact]
    public void A_key_over_the_limit_names_the_grain_key_by_its_sha256()
    {
        var grainKey = new string('k', 200);
        var plain = Key("store", "counter", "note", grainKey, limit: 4096);
        Assert.Equal($"grain-state/5:store/7:counter/4:note/200:{grainKey}", plain);

        // A limit one byte short of the plain key.
        var hashed = Key("store", "counter", "note", grainKey, limit: plain.Length - 1);
        Assert.Equal($"grain-state/5:store/7:counter/4:note/#{Sha256Hex(grainKey)}", hashed);
        Assert.Equal(plain, Key("store", "counter", "note", grainKey, limit: plain.Length));
        Assert.Equal(hashed, Key("store", "counter", "note", grainKey, limit: plain.Length - 1));
        Assert.NotEqual(hashed, Key("store", "counter", "note", grainKey + "k", limit: plain.Length - 1));
    }

    [Fact]
    public void A_key_still_over_the_limit_after_hashing_the_grain_key_hashes_everything_after_the_provider()
    {
        var type = new string('t', 300);
        var limit = GrainStateKey.MinimumMaxKeyBytes("store");
        var key = Key("store", type, "note", "abc", limit);
        Assert.Equal($"grain-state/5:store/##{Sha256Hex($"300:{type}/4:note/3:abc")}", key);
        Assert.Equal(limit, Encoding.UTF8.GetByteCount(key));
        Assert.NotEqual(key, Key("store", type, "note", "abd", limit));
        Assert.NotEqual(key, Key("store", type, "other", "abc", limit));
    }

    [Fact]
    public void No_key_exceeds_the_limit_whatever_its_parts()
    {
        var random = new Random(14);
        foreach (var limit in new[] { GrainStateKey.MinimumMaxKeyBytes("p"), 100, 200, Limit })
        {
            for (var i = 0; i < 200; i++)
            {
                var key = GrainStateKey.Of(B("p"), RandomBytes(random, 150), RandomBytes(random, 40), RandomBytes(random, 300), limit);
                Assert.InRange(key.Length, 1, limit);
            }
        }
    }

    [Fact]
    public void A_limit_that_cannot_hold_the_fully_hashed_key_is_refused()
    {
        Assert.Equal("grain-state/5:store/##".Length + 64, GrainStateKey.MinimumMaxKeyBytes("store"));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrainStateKey.Of(B("store"), B("t"), B("s"), B("k"), GrainStateKey.MinimumMaxKeyBytes("store") - 1));
    }

    private static byte[] RandomBytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }
}
