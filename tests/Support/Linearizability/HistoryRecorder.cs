using System.Diagnostics;

namespace MultiRaft.Linearizability;

/// <summary>
/// Records a history as a test harness runs it; safe to call from many threads. Call
/// <see cref="Invoke"/> before sending a request and one of <see cref="Ok"/>, <see cref="Fail"/>
/// or <see cref="Unknown"/> after its fate is known; anything never completed is Unknown.
/// </summary>
public sealed class HistoryRecorder
{
    private readonly Func<long> _clock;
    private readonly Lock _lock = new();
    private readonly List<Operation> _operations = [];

    /// <param name="clock">
    /// A monotonic clock; default <see cref="Stopwatch.GetTimestamp"/>. Read under the recorder's
    /// lock, so times agree with the order of calls across threads.
    /// </param>
    public HistoryRecorder(Func<long>? clock = null) => _clock = clock ?? Stopwatch.GetTimestamp;

    /// <summary>Records that <paramref name="clientId"/> is about to send <paramref name="input"/>; returns its id.</summary>
    public int Invoke(int clientId, string key, KvInput input)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            var id = _operations.Count;
            _operations.Add(new Operation(id, clientId, key, input, default, Outcome.Unknown, _clock(), long.MaxValue));
            return id;
        }
    }

    /// <summary>The store answered <paramref name="output"/>.</summary>
    public void Ok(int id, KvOutput output) => Complete(id, Outcome.Ok, output);

    /// <summary>The operation definitely did not take effect.</summary>
    public void Fail(int id) => Complete(id, Outcome.Failed, default);

    /// <summary>The operation's fate is unknown (timeout, lost connection): it stays pending.</summary>
    public void Unknown(int id) => Complete(id, Outcome.Unknown, default);

    /// <summary>A copy of everything recorded so far.</summary>
    public IReadOnlyList<Operation> History()
    {
        lock (_lock)
            return [.. _operations];
    }

    private void Complete(int id, Outcome outcome, KvOutput output)
    {
        lock (_lock)
        {
            var op = _operations[id];
            if (op.ReturnTime != long.MaxValue)
                throw new InvalidOperationException($"Operation {id} was already completed.");
            _operations[id] = op with { Outcome = outcome, Output = output, ReturnTime = _clock() };
        }
    }
}
