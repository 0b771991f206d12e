using System.Text;

namespace MultiRaft.Raft.Tests.Fixtures;

/// <summary>
/// One RawNode on a MemoryStorage with a trivial state machine (the list of applied entries).
/// Every write is durable at once, so a restart keeps exactly what was handed to storage.
/// </summary>
internal sealed class Member
{
    public Member(RaftConfig config)
    {
        Config = config;
        Storage = (MemoryStorage)config.Storage!;
        Node = new RawNode(config);
        AppliedIndex = Node.Applied;
    }

    public RaftConfig Config { get; }

    public MemoryStorage Storage { get; }

    public RawNode Node { get; private set; }

    public ulong Id => Node.Id;

    /// <summary>The core behind the node, for white-box assertions.</summary>
    public Raft Raft => Node.Raft;

    /// <summary>Every entry applied, in order (normal, empty and membership entries alike).</summary>
    public List<Entry> Applied { get; } = [];

    public List<ReadState> ReadStates { get; } = [];

    /// <summary>The membership after each applied change or installed snapshot.</summary>
    public ConfState? LastConfState { get; private set; }

    public ulong AppliedIndex { get; private set; }

    /// <summary>The payloads of applied application commands, as text.</summary>
    public IReadOnlyList<string> AppliedCommands =>
        Applied.Where(e => e.Type == EntryType.Normal && e.Data.Length > 0)
            .Select(e => Encoding.UTF8.GetString(e.Data.Span)).ToList();

    /// <summary>Persists, applies and advances one Ready, returning a copy of it (null when none).</summary>
    public ReadyView? ProcessReady()
    {
        if (!Node.HasReady)
        {
            return null;
        }

        var rd = Node.GetReady();
        var view = ReadyView.Of(rd);
        if (rd.Snapshot is { } snap)
        {
            Storage.ApplySnapshot(snap);
            AppliedIndex = snap.Index;
            LastConfState = snap.ConfState;
        }

        Storage.Append(rd.Entries);
        if (rd.HardState is { } hs)
        {
            Storage.SetHardState(hs);
        }

        foreach (var e in rd.CommittedEntries)
        {
            if (e.Type == EntryType.ConfChange)
            {
                var cs = Node.ApplyConfChange(ConfChange.Decode(e.Data));
                Storage.SetConfState(cs);
                LastConfState = cs;
            }

            Applied.Add(e);
            AppliedIndex = e.Index;
        }

        ReadStates.AddRange(rd.ReadStates);
        Node.Advance();
        return view;
    }

    /// <summary>Processes Readys until there are none; returns every message to send.</summary>
    public List<Message> Drain()
    {
        var msgs = new List<Message>();
        while (ProcessReady() is { } view)
        {
            msgs.AddRange(view.Outgoing);
        }

        return msgs;
    }

    /// <summary>Crash and restart: a new node on the same (fully durable) storage.</summary>
    public void Restart()
    {
        Config.Applied = AppliedIndex;
        Node = new RawNode(Config);
    }

    /// <summary>Takes a snapshot at the applied index and compacts the log up to it.</summary>
    public Snapshot CompactToApplied()
    {
        var snap = Storage.CreateSnapshot(AppliedIndex, Raft.Tracker.Config.ToConfState(), Encoding.UTF8.GetBytes($"image@{AppliedIndex}"));
        Storage.Compact(AppliedIndex);
        return snap;
    }
}
