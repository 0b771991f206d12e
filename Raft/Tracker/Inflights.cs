namespace MultiRaft.Raft;

/// <summary>
/// Append messages sent to one follower and not yet acknowledged, as (last index, bytes) in a
/// ring. Full when either the count or the byte budget is reached; acknowledgements free
/// everything up to the acknowledged index.
/// </summary>
internal sealed class Inflights
{
    private readonly ulong[] _index;
    private readonly long[] _bytes;
    private readonly long _maxBytes;
    private int _start;

    public Inflights(int size, long maxBytes)
    {
        _index = new ulong[size];
        _bytes = new long[size];
        _maxBytes = maxBytes;
    }

    public int Capacity => _index.Length;

    public long MaxBytes => _maxBytes;

    public int Count { get; private set; }

    public long Bytes { get; private set; }

    public bool Full => Count == _index.Length || (_maxBytes > 0 && Bytes >= _maxBytes);

    public void Add(ulong index, long bytes)
    {
        if (Count == _index.Length)
        {
            throw new RaftInvariantException("inflight window overflow");
        }

        var slot = (_start + Count) % _index.Length;
        _index[slot] = index;
        _bytes[slot] = bytes;
        Count++;
        Bytes += bytes;
    }

    /// <summary>Frees every message whose last index is at or below <paramref name="to"/>.</summary>
    public void FreeLE(ulong to)
    {
        while (Count > 0 && _index[_start] <= to)
        {
            Bytes -= _bytes[_start];
            _start = (_start + 1) % _index.Length;
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
            FreeLE(_index[_start]);
        }
    }

    public void CopyFrom(Inflights other)
    {
        Reset();
        for (var i = 0; i < other.Count; i++)
        {
            var slot = (other._start + i) % other._index.Length;
            Add(other._index[slot], other._bytes[slot]);
        }
    }

    public void Reset()
    {
        Count = 0;
        Bytes = 0;
        _start = 0;
    }
}
