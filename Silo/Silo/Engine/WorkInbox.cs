namespace MultiRaft.Silo.Engine;

/// <summary>
/// A worker's inbox: many threads post, the worker alone takes. Its memory follows the backlog:
/// a ConcurrentQueue keeps the largest segment a burst made it grow (a silo of 10,000 replicas
/// held a 37 MB segment, 3.7 KB per replica, long after the burst), while this holds two lists
/// and drops either one that a burst left large once the worker has emptied it.
/// </summary>
/// <remarks>
/// Posters append to one list under a lock; the worker swaps it for the list it has finished and
/// takes from the swapped one without the lock, so a post costs a short uncontended lock, and
/// the worker locks once per batch, not per item.
/// </remarks>
internal sealed class WorkInbox
{
    // Items a list may keep room for once emptied; a larger one is dropped for a new one.
    internal const int KeptCapacity = 1024;

    private readonly Lock _lock = new();
    private List<WorkItem> _incoming = [];
    private int _incomingCount;

    // The worker's own: the batch it is taking from, and its position in it.
    private List<WorkItem> _taking = [];
    private int _next;

    public void Enqueue(in WorkItem item)
    {
        lock (_lock)
        {
            _incoming.Add(item);
            _incomingCount = _incoming.Count;
        }
    }

    /// <summary>Whether nothing waits. Called by the worker only.</summary>
    public bool IsEmpty => _next >= _taking.Count && Volatile.Read(ref _incomingCount) == 0;

    /// <summary>Takes the oldest item. Called by the worker only.</summary>
    public bool TryDequeue(out WorkItem item)
    {
        if (_next >= _taking.Count && !TakeBatch())
        {
            item = default;
            return false;
        }

        item = _taking[_next];
        // Let go of what the item refers to (messages, replicas, operations) at once.
        _taking[_next++] = default;
        return true;
    }

    /// <summary>Room held for items (both lists), for tests.</summary>
    internal int Capacity => _taking.Capacity + _incoming.Capacity;

    private bool TakeBatch()
    {
        var finished = _taking.Capacity > KeptCapacity ? [] : _taking;
        finished.Clear();
        _next = 0;
        lock (_lock)
        {
            if (_incoming.Count == 0)
            {
                _taking = finished;
                return false;
            }

            _taking = _incoming;
            _incoming = finished;
            _incomingCount = 0;
        }

        return true;
    }
}
