namespace MultiRaft.Raft;

/// <summary>
/// Append messages sent to one follower and not yet acknowledged, as (last index, bytes) in a
/// ring. Full when either the count or the byte budget is reached; acknowledgements free
/// everything up to the acknowledged index.
/// </summary>
/// <remarks>
/// Every member's progress has a window, but only a leader's followers fill one, and most
/// groups on a silo are idle: the ring starts empty and doubles from a few slots up to
/// <see cref="Limit"/> as messages are added, and <see cref="TrimExcess"/> gives it back.
/// </remarks>
internal sealed class Inflights
{
    private const int FirstCapacity = 4;

    private readonly int _limit;
    private readonly long _maxBytes;
    private Inflight[] _ring = [];
    private int _start;

    public Inflights(int limit, long maxBytes)
    {
        _limit = limit;
        _maxBytes = maxBytes;
    }

    /// <summary>The most messages the window holds.</summary>
    public int Limit => _limit;

    /// <summary>Slots allocated now (grows up to <see cref="Limit"/>).</summary>
    public int Capacity => _ring.Length;

    public long MaxBytes => _maxBytes;

    public int Count { get; private set; }

    public long Bytes { get; private set; }

    public bool Full => Count == _limit || (_maxBytes > 0 && Bytes >= _maxBytes);

    public void Add(ulong index, long bytes)
    {
        if (Count == _limit)
        {
            throw new RaftInvariantException("inflight window overflow");
        }

        if (Count == _ring.Length)
        {
            Grow();
        }

        _ring[(_start + Count) % _ring.Length] = new Inflight(index, bytes);
        Count++;
        Bytes += bytes;
    }

    /// <summary>Frees every message whose last index is at or below <paramref name="to"/>.</summary>
    public void FreeLE(ulong to)
    {
        while (Count > 0 && _ring[_start].Index <= to)
        {
            Bytes -= _ring[_start].Bytes;
            _start = (_start + 1) % _ring.Length;
            Count--;
        }

        if (Count == 0)
        {
            _start = 0;
        }
    }

    /// <summary>Frees the oldest message (the follower is alive but our window is stuck).</summary>
    public void FreeFirst()
    {
        if (Count > 0)
        {
            FreeLE(_ring[_start].Index);
        }
    }

    public void CopyFrom(Inflights other)
    {
        Reset();
        for (var i = 0; i < other.Count; i++)
        {
            var m = other._ring[(other._start + i) % other._ring.Length];
            Add(m.Index, m.Bytes);
        }
    }

    /// <summary>Empties the window; the slots stay for the next messages.</summary>
    public void Reset()
    {
        Count = 0;
        Bytes = 0;
        _start = 0;
    }

    /// <summary>Releases the slots of an empty window (one holding messages keeps them).</summary>
    public void TrimExcess()
    {
        if (Count == 0)
        {
            _ring = [];
            _start = 0;
        }
    }

    private void Grow()
    {
        // Unwrapped into the new ring, oldest first, so that the ring starts at slot 0 again.
        var next = new Inflight[Math.Min(_limit, Math.Max(FirstCapacity, _ring.Length * 2))];
        for (var i = 0; i < Count; i++)
        {
            next[i] = _ring[(_start + i) % _ring.Length];
        }

        _ring = next;
        _start = 0;
    }

    private readonly record struct Inflight(ulong Index, long Bytes);
}
