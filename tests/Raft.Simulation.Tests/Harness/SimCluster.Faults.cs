namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>Crashes and restarts of members.</summary>
public sealed partial class SimCluster
{
    /// <summary>Crashes a member now: its RawNode and everything not yet fsynced are lost.</summary>
    public void Crash(ulong id)
    {
        var n = _nodes[id];
        if (!n.IsUp)
        {
            return;
        }

        n.Stop(removed: false);
        n.Storage.Crash();
        Stats.Crashes++;
        Log($"{id} crashed");
        Checker.OnCrash(n);
    }

    /// <summary>Crashes the member when its next Ready reaches <paramref name="point"/>.</summary>
    public void CrashAt(ulong id, CrashPoint point) => _nodes[id].CrashAt = point;

    /// <summary>Restarts a crashed member from its durable state.</summary>
    public void Restart(ulong id)
    {
        var n = _nodes[id];
        if (n.IsUp || n.IsRemoved)
        {
            return;
        }

        StartMember(n);
        Checker.OnRestart(n);
        Log($"{id} restarted: {n}");
    }

    private void StartMember(SimNode n)
    {
        n.RestoreStateMachineFromDisk();
        var o = Options;
        var raw = new RawNode(new RaftConfig
        {
            Id = n.Id,
            Storage = n.Storage.Live,
            Applied = n.StateMachine.AppliedIndex,
            ElectionTick = o.ElectionTick,
            HeartbeatTick = o.HeartbeatTick,
            CheckQuorum = o.CheckQuorum,
            PreVote = o.PreVote,
            ReadOnlyOption = o.ReadOnlyOption,
            CommitNoticeByHeartbeat = o.CommitNoticeByHeartbeat,
            MaxSizePerMsg = o.MaxSizePerMsg,
            MaxInflightMsgs = o.MaxInflightMsgs,
            MaxInflightBytes = o.MaxInflightBytes,
            MaxUncommittedEntriesSize = o.MaxUncommittedEntriesSize,
            Random = new Random(Rng.Next()),
        });
        n.Start(raw);
    }

    /// <summary>Ends the faults: heals the network, stops loss and duplication, restarts every crashed member.</summary>
    public void HealAll()
    {
        Net.Heal();
        Net.DropRate = 0;
        Net.DuplicateRate = 0;
        Net.LongDelayRate = 0;
        Net.DropFilter = null;
        Net.MinDelayMs = Options.MinDelayMs;
        Net.MaxDelayMs = Options.MaxDelayMs;
        foreach (var n in _nodes.Values)
        {
            n.CrashAt = null;
            if (!n.IsUp && !n.IsRemoved)
            {
                Restart(n.Id);
            }
        }
    }
}
