namespace MultiRaft.Client;

/// <summary>
/// Idempotency keys to the session dedicated to each (used once, with sequence 1), least recently
/// used dropped beyond the capacity. The value is the task that opens the session, so concurrent
/// writes with one key share one session.
/// </summary>
internal sealed class IdempotencyCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, Task<WriteSession> Session)>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, Task<WriteSession> Session)> _order = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    /// <summary>The key's session task, created by <paramref name="open"/> the first time (or after it failed).</summary>
    public Task<WriteSession> GetOrAdd(string key, Func<Task<WriteSession>> open, out bool added)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node) && !node.Value.Session.IsFaulted && !node.Value.Session.IsCanceled)
            {
                _order.Remove(node);
                _order.AddFirst(node);
                added = false;
                return node.Value.Session;
            }

            if (node is not null)
            {
                _order.Remove(node);
                _map.Remove(key);
            }

            var task = open();
            _map[key] = _order.AddFirst((key, task));
            while (_map.Count > capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _map.Remove(last.Value.Key);
            }

            added = true;
            return task;
        }
    }

    /// <summary>Forgets <paramref name="key"/> if it still maps to <paramref name="session"/> (the session expired).</summary>
    public void Remove(string key, Task<WriteSession> session)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node) && node.Value.Session == session)
            {
                _order.Remove(node);
                _map.Remove(key);
            }
        }
    }
}
