namespace MultiRaft.Raft;

/// <summary>
/// A growable circular buffer of entries with cheap removal at both ends: storage compacts
/// from the front and truncates conflicting tails at the back without copying the rest.
/// </summary>
internal sealed class EntryRing
{
    private Entry[] _items;
    private int _head;

    public EntryRing(int capacity = 16) => _items = new Entry[Math.Max(4, capacity)];

    public int Count { get; private set; }

    public ref readonly Entry this[int i] => ref _items[(_head + i) & (_items.Length - 1)];

    public void Add(in Entry e)
    {
        if (Count == _items.Length)
        {
            Grow();
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

    private void Grow()
    {
        // Capacity stays a power of two so that wrapping is a mask.
        var next = new Entry[_items.Length * 2];
        for (var i = 0; i < Count; i++)
        {
            next[i] = this[i];
        }

        _items = next;
        _head = 0;
    }
}
