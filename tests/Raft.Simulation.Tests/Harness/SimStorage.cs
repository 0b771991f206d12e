namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// One member's disk. Writes from a Ready go to <see cref="Live"/> (what the running member
/// reads: the page cache) at once, and reach <see cref="Durable"/> only at <see cref="Fsync"/>.
/// A crash throws away the page cache: the restarted member reads a copy of the durable state.
/// </summary>
public sealed class SimStorage
{
    private readonly ConfState _bootstrap;
    private readonly List<Action<MemoryStorage>> _pending = [];

    private readonly bool _ignoresFsync;

    public SimStorage(ConfState bootstrap, bool ignoresFsync = false)
    {
        _bootstrap = bootstrap;
        _ignoresFsync = ignoresFsync;
        Durable = NewStorage(bootstrap);
        Live = NewStorage(bootstrap);
    }

    /// <summary>What the running member reads; lost on a crash.</summary>
    public MemoryStorage Live { get; private set; }

    /// <summary>What survives a crash.</summary>
    public MemoryStorage Durable { get; }

    public bool HasUnsyncedWrites => _pending.Count > 0;

    /// <summary>Highest commit index ever made durable (it must never go back).</summary>
    public ulong DurableCommit { get; private set; }

    /// <summary>Index of the durable snapshot (it must never go back).</summary>
    public ulong DurableSnapshotIndex => Durable.GetSnapshot()?.Index ?? 0;

    /// <summary>The membership a restart starts from: the durable snapshot's, else the bootstrap one.</summary>
    public ConfState DurableConfState
    {
        get
        {
            var s = Durable.GetSnapshot();
            return s is null || s.IsEmpty ? _bootstrap : s.ConfState;
        }
    }

    /// <summary>Writes a Ready's snapshot, entries and hard state to the page cache.</summary>
    public void Write(Ready rd)
    {
        if (rd.Snapshot is { } snap)
        {
            Live.ApplySnapshot(snap);
            _pending.Add(s => s.ApplySnapshot(snap));
        }

        if (!rd.Entries.IsEmpty)
        {
            Live.Append(rd.Entries);

            // The Ready's spans die at Advance; the pending write keeps its own copy.
            var copy = rd.Entries.ToArray();
            _pending.Add(s => s.Append(copy));
        }

        if (rd.HardState is { } hs)
        {
            Live.SetHardState(hs);
            _pending.Add(s => s.SetHardState(hs));
        }
    }

    /// <summary>Makes every write so far durable.</summary>
    public void Fsync()
    {
        if (_ignoresFsync)
        {
            _pending.Clear();
            return;
        }

        foreach (var w in _pending)
        {
            w(Durable);
        }

        _pending.Clear();
        var commit = Durable.HardState.Commit;
        if (commit < DurableCommit)
        {
            throw new SimulationFailure($"durable commit went back from {DurableCommit} to {commit}");
        }

        DurableCommit = commit;
    }

    /// <summary>
    /// Saves a snapshot of the applied state and compacts the log up to it, durably and at once
    /// (a snapshot file is written and fsynced before the log is truncated). Earlier writes are
    /// synced first so the durable hard state's commit covers the snapshot.
    /// </summary>
    public void SaveSnapshot(ulong index, ConfState cs, byte[] image)
    {
        Fsync();
        Live.CreateSnapshot(index, cs, image);
        Live.Compact(index);
        if (_ignoresFsync)
        {
            return;
        }

        Durable.CreateSnapshot(index, cs, image);
        Durable.Compact(index);
    }

    /// <summary>Loses the page cache: the next member reads only what was durable.</summary>
    public void Crash()
    {
        _pending.Clear();
        Live = CopyOfDurable();
    }

    /// <summary>Replaces the page cache by a fresh copy of the durable state (done at every restart).</summary>
    private MemoryStorage CopyOfDurable()
    {
        var s = new MemoryStorage();
        var snap = Durable.GetSnapshot();
        if (snap is not null && !snap.IsEmpty)
        {
            s.ApplySnapshot(snap);
        }
        else
        {
            s.SetConfState(_bootstrap);
        }

        if (Durable.LastIndex >= Durable.FirstIndex)
        {
            var entries = new List<Entry>();
            Durable.GetEntries(Durable.FirstIndex, Durable.LastIndex + 1, long.MaxValue, entries);

            // Entries the snapshot covers are not needed after a restart.
            var from = entries.FindIndex(e => e.Index > s.LastIndex);
            if (from >= 0)
            {
                s.Append(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries)[from..]);
            }
        }

        s.SetHardState(Durable.HardState);
        return s;
    }

    private static MemoryStorage NewStorage(ConfState cs) => cs.Voters.Count == 0 ? new MemoryStorage() : new MemoryStorage(cs);
}
