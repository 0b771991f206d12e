namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>
/// One member as the harness sees it: its disk and application survive crashes; its
/// <see cref="RawNode"/> is replaced at every restart.
/// </summary>
public sealed class SimNode
{
    public SimNode(ulong id, ConfState bootstrap, bool diskIgnoresFsync = false)
    {
        Id = id;
        Storage = new SimStorage(bootstrap, diskIgnoresFsync);
        ConfState = bootstrap;
    }

    public ulong Id { get; }

    public SimStorage Storage { get; }

    public StateMachine StateMachine { get; private set; } = new();

    /// <summary>The running member; null while crashed or after removal.</summary>
    public RawNode? Raw { get; private set; }

    /// <summary>Bumped at every restart, so late reports reach only the member that sent the message.</summary>
    public int Incarnation { get; private set; }

    public bool IsUp => Raw is not null;

    /// <summary>Removed from the group and shut down for good (ids are never reused).</summary>
    public bool IsRemoved { get; private set; }

    /// <summary>The membership as of the applied index (what a snapshot records).</summary>
    public ConfState ConfState { get; set; }

    /// <summary>A crash scheduled at this point of the next Ready.</summary>
    public CrashPoint? CrashAt { get; set; }

    /// <summary>A snapshot is owed at the end of this Ready (a member was added; see SimCluster.Ready).</summary>
    public bool SnapshotOwed { get; set; }

    /// <summary>Reads answered with a ReadState, waiting for the application to reach their index.</summary>
    public List<ReadState> ReadsToServe { get; } = [];

    public RawNode Running => Raw ?? throw new InvalidOperationException($"member {Id} is not running");

    internal void Start(RawNode raw)
    {
        Raw = raw;
        Incarnation++;
    }

    internal void Stop(bool removed)
    {
        Raw = null;
        CrashAt = null;
        SnapshotOwed = false;
        ReadsToServe.Clear();
        IsRemoved |= removed;
    }

    /// <summary>Rebuilds the application from the durable snapshot, as a restarted process would.</summary>
    internal void RestoreStateMachineFromDisk()
    {
        StateMachine = new StateMachine();
        var snap = Storage.Durable.GetSnapshot();
        if (snap is not null && !snap.IsEmpty)
        {
            StateMachine.Restore(snap.Index, snap.Data.Span);
        }

        ConfState = Storage.DurableConfState;
    }

    public override string ToString() => (Raw is null ? $"{Id} down" : Raw.Raft.ToString()) + $" conf=[{ConfState}]";
}
