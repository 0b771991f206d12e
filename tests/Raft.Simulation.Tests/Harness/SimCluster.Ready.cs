namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>Processing one Ready in the phases of the persistence contract, with crash points between them.</summary>
public sealed partial class SimCluster
{
    private void ProcessReady(SimNode n)
    {
        var raw = n.Running;
        var rd = raw.GetReady();
        Checker.OnReady(n, rd);
        if (rd.SoftState is { } soft)
        {
            Log($"{n.Id} is {soft.Role} (lead {soft.Lead}) term {raw.Term} last {raw.LastIndex}");
        }

        foreach (var m in rd.Messages)
        {
            Send(n, m);
        }

        if (CrashIfScheduled(n, CrashPoint.AfterSend))
        {
            return;
        }

        n.Storage.Write(rd);
        if (CrashIfScheduled(n, CrashPoint.AfterWrite))
        {
            return;
        }

        // A commit-only hard state need not be synced (Ready.MustSync); it stays in the page
        // cache until the next sync, and a crash may lose it.
        if (rd.MustSync)
        {
            n.Storage.Fsync();
        }

        if (CrashIfScheduled(n, CrashPoint.AfterFsync))
        {
            return;
        }

        foreach (var m in rd.PersistedMessages)
        {
            Send(n, m);
        }

        if (CrashIfScheduled(n, CrashPoint.AfterPersistedSend))
        {
            return;
        }

        Apply(n, raw, rd);
        if (CrashIfScheduled(n, CrashPoint.AfterApply))
        {
            return;
        }

        raw.Advance();
        if (n.IsUp)
        {
            MaybeSnapshot(n);
            ServeReads(n);
        }
    }

    private void Apply(SimNode n, RawNode raw, Ready rd)
    {
        if (rd.Snapshot is { } snap)
        {
            n.StateMachine.Restore(snap.Index, snap.Data.Span);
            n.ConfState = snap.ConfState;
            Stats.SnapshotsInstalled++;
            Checker.OnSnapshotInstalled(n, snap);
        }

        foreach (ref readonly var e in rd.CommittedEntries)
        {
            if (e.Type == EntryType.ConfChange)
            {
                var before = n.ConfState;
                var after = raw.ApplyConfChange(ConfChange.Decode(e.Data));
                n.ConfState = after;
                OnMembershipApplied(n, e.Index, before, after);
                Log($"{n.Id} applied {e.Index}: [{after}]");
                Stats.ConfChangesApplied++;
            }

            n.StateMachine.Apply(e.Index, e);
            Checker.OnApplied(n, e);
        }

        foreach (var rs in rd.ReadStates)
        {
            Checker.OnReadState(n, rs);
            n.ReadsToServe.Add(rs);
        }
    }

    /// <summary>
    /// Snapshots every <see cref="SimOptions.SnapshotEvery"/> applied entries, and whenever a
    /// member was added: the bootstrap membership lives in the initial storage, not in the log,
    /// so a new member must start from a snapshot that already includes it, never from index 1.
    /// </summary>
    private void MaybeSnapshot(SimNode n)
    {
        var applied = n.StateMachine.AppliedIndex;
        var every = Options.SnapshotEvery;
        if (n.SnapshotOwed || (every > 0 && applied >= n.Storage.DurableSnapshotIndex + (ulong)every))
        {
            n.SnapshotOwed = false;
            if (applied > n.Storage.DurableSnapshotIndex)
            {
                n.Storage.SaveSnapshot(applied, n.ConfState, n.StateMachine.Encode());
            }
        }
    }

    private void ServeReads(SimNode n)
    {
        var reads = n.ReadsToServe;
        for (var i = 0; i < reads.Count; i++)
        {
            if (reads[i].Index <= n.StateMachine.AppliedIndex)
            {
                Checker.OnReadServed(n, reads[i]);
                reads.RemoveAt(i);
                i--;
            }
        }
    }

    private bool CrashIfScheduled(SimNode n, CrashPoint point)
    {
        if (n.CrashAt != point)
        {
            return false;
        }

        Crash(n.Id);
        return true;
    }
}
