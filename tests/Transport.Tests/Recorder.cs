namespace MultiRaft.Transport.Tests;

/// <summary>A thread-safe list whose waiters complete when it reaches a count (no polling).</summary>
public sealed class Recorder<T>
{
    private readonly Lock _gate = new();
    private readonly List<T> _items = [];
    private readonly List<(Func<List<T>, bool> Ready, TaskCompletionSource Done)> _waiters = [];

    public void Add(T item)
    {
        lock (_gate)
        {
            _items.Add(item);
            _waiters.RemoveAll(w =>
            {
                if (!w.Ready(_items))
                {
                    return false;
                }

                w.Done.TrySetResult();
                return true;
            });
        }
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> items are recorded; fails the test after the guard timeout.</summary>
    public Task<IReadOnlyList<T>> WaitForAsync(int count) => WaitUntilAsync(items => items.Count >= count);

    /// <summary>Completes once an item matching <paramref name="match"/> is recorded.</summary>
    public Task<IReadOnlyList<T>> WaitForItemAsync(Func<T, bool> match) => WaitUntilAsync(items => items.Exists(i => match(i)));

    private async Task<IReadOnlyList<T>> WaitUntilAsync(Func<List<T>, bool> ready)
    {
        Task wait;
        lock (_gate)
        {
            if (ready(_items))
            {
                return [.. _items];
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((ready, done));
            wait = done.Task;
        }

        await wait.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        return Snapshot();
    }
}

public static class TestTimeouts
{
    /// <summary>Only a failure guard: every wait completes on a signal long before this.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
}
