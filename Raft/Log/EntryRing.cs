using System.Numerics;

namespace MultiRaft.Raft;

/// <summary>
/// A growable circular buffer of entries with cheap removal at both ends: storage compacts
/// from the front and truncates conflicting tails at the back without copying the rest.
/// </summary>
/// <remarks>
/// Capacity is zero or a power of two, so that wrapping is a mask. A ring starts empty unless
/// told otherwise (an idle replica's compacted log holds nothing) and doubles from a few entries.
/// </remarks>
internal sealed class EntryRing
{
    private const int FirstCapacity = 4;

    private Entry[] _items;
    private int _head;

    public EntryRing(int capacity = 0) =>
        _items = capacity <= 0 ? [] : new Entry[Fit(capacity)];

    public int Count { get; private set; }

    /// <summary>Entries the ring holds room for.</summary>
    public int Capacity => _items.Length;

    public ref readonly Entry this[int i] => ref _items[(_head + i) & (_items.Length - 1)];

    public void Add(in Entry e)
    {
        if (Count == _items.Length)
        {
            EnsureCapacity(Count + 1);
        }

        _items[(_head + Count) & (_items.Length - 1)] = e;
        Count++;
    }

    public void RemoveFirst(int n)
    {
        for (var i = 0; i < n; i++)
        {
            _items[(_head + i) & (_items.Length - 1)] = default;
        }

        _head = (_head + n) & (_items.Length - 1);
        Count -= n;
        if (Oversized.Is(_items.Length, Count))
        {
            TrimExcess();
        }
    }

    /// <summary>Keeps the first <paramref name="n"/> entries.</summary>
    public void Truncate(int n)
    {
        for (var i = n; i < Count; i++)
        {
            _items[(_head + i) & (_items.Length - 1)] = default;
        }

        Count = n;
    }

    public void Clear() => Truncate(0);

    /// <summary>Shrinks the ring to the smallest capacity that holds its entries (none when empty).</summary>
    public void TrimExcess()
    {
        var fit = Count == 0 ? 0 : Fit(Count);
        if (fit < _items.Length)
        {
            MoveTo(fit == 0 ? [] : new Entry[fit]);
        }
    }

    /// <summary>Makes room for <paramref name="count"/> entries in one step (a power of two, as ever).</summary>
    public void EnsureCapacity(int count)
    {
        if (count > _items.Length)
        {
            MoveTo(new Entry[Fit(count)]);
        }
    }

    // The capacity that holds `count` entries: a power of two, a few entries at least (a full
    // ring's next one doubles it).
    private static int Fit(int count) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(FirstCapacity, count));

    private void MoveTo(Entry[] next)
    {
        for (var i = 0; i < Count; i++)
        {
            next[i] = this[i];
        }

        _items = next;
        _head = 0;
    }
}
