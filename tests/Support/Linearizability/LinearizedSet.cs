namespace MultiRaft.Linearizability;

/// <summary>
/// The set of operations linearized so far, as a bitset with a hash kept up to date on every
/// change, so that memo lookups do not rehash the whole set.
/// </summary>
internal sealed class LinearizedSet
{
    private readonly ulong[] _words;

    public LinearizedSet(int count) => _words = new ulong[(count + 63) / 64];

    public long Hash { get; private set; }

    public void Toggle(int index)
    {
        _words[index >> 6] ^= 1UL << (index & 63);
        Hash ^= Mix((ulong)index);
    }

    public ulong[] Snapshot() => (ulong[])_words.Clone();

    public bool SameAs(ulong[] words) => _words.AsSpan().SequenceEqual(words);

    // splitmix64 finaliser: spreads each operation's bit over the whole hash.
    private static long Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (long)(x ^ (x >> 31));
    }
}
