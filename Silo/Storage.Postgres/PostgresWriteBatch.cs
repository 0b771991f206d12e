namespace MultiRaft.Storage.Postgres;

/// <summary>
/// The operations gathered while the previous batch was being written; they commit together,
/// and everyone waiting on any of their positions is released by one completion.
/// </summary>
internal sealed class PostgresWriteBatch
{
    private readonly List<PostgresWriteOp> _ops = [];

    // Continuations run off the writer loop, so a waiter's work never delays the next commit.
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<PostgresWriteOp> Ops => _ops;

    /// <summary>The position of the last operation added; 0 while empty.</summary>
    public long LastPosition { get; private set; }

    public bool IsEmpty => _ops.Count == 0;

    /// <summary>Completes once the batch is committed; faults if it could not be.</summary>
    public Task Done => _done.Task;

    public void Add(PostgresWriteOp op, long position)
    {
        _ops.Add(op);
        LastPosition = position;
    }

    public void Complete() => _done.TrySetResult();

    public void Fail(Exception fault)
    {
        _done.TrySetException(fault);

        // Nobody may be waiting on this batch; the provider reports the fault on every later call,
        // so the exception is marked observed here rather than surfacing as unobserved.
        _ = _done.Task.Exception;
    }
}
