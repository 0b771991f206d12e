namespace MultiRaft.Silo.Engine;

/// <summary>
/// Counters of the engine's batching, summed over workers: how much one turn (one durability
/// wait, one fsync) carries is the figure that decides write throughput.
/// </summary>
internal sealed class EngineStats
{
    public long Turns;
    public long Readies;
    public long EntriesPersisted;
    public long DurableWaits;
    public long EntriesApplied;
    public long MessagesSent;
    public long Calls;
    // Other silos this one began to suspect (quiescence's silo-pair liveness); not in the 10 s log.
    public long Suspicions;

    public EngineStats Snapshot() => new()
    {
        Turns = Interlocked.Read(ref Turns),
        Readies = Interlocked.Read(ref Readies),
        EntriesPersisted = Interlocked.Read(ref EntriesPersisted),
        DurableWaits = Interlocked.Read(ref DurableWaits),
        EntriesApplied = Interlocked.Read(ref EntriesApplied),
        MessagesSent = Interlocked.Read(ref MessagesSent),
        Calls = Interlocked.Read(ref Calls),
    };

    public EngineStats Minus(EngineStats before) => new()
    {
        Turns = Turns - before.Turns,
        Readies = Readies - before.Readies,
        EntriesPersisted = EntriesPersisted - before.EntriesPersisted,
        DurableWaits = DurableWaits - before.DurableWaits,
        EntriesApplied = EntriesApplied - before.EntriesApplied,
        MessagesSent = MessagesSent - before.MessagesSent,
        Calls = Calls - before.Calls,
    };
}
