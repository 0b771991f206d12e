using Microsoft.Extensions.Logging;
using MultiRaft.Raft;
using MultiRaft.Storage;

namespace MultiRaft.Silo.Engine;

/// <summary>
/// One of the engine's fixed pool of workers. It owns a set of replicas and is the only thread
/// that touches them. Each turn it drains its inbox, then for every replica with work: sends the
/// messages that may go at once, hands all entries and hard states to storage, waits once for
/// them to be durable (one fsync for the whole batch), sends the messages that needed that,
/// applies committed entries and advances.
/// </summary>
internal sealed class EngineWorker
{
    // Bounds one turn's intake so a flood of messages cannot starve the Ready processing.
    private const int MaxItemsPerTurn = 8192;
    // How long a quiesced replica sleeps before it gives its buffers back: 5 s at the default tick.
    private const int TrimDelayTicks = 50;

    private readonly WorkInbox _inbox = new();
    // The worker sleeps on this when its inbox is empty; posters wake it only if it is asleep,
    // so a busy worker costs its posters no system call. No spinning before it sleeps (a
    // SemaphoreSlim spins, yields and sleeps 1 ms first): an idle silo's workers wake on every
    // tick, and that spinning was a tenth of the CPU of a silo with 10,000 idle replicas.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private int _sleeping;
    private volatile bool _completed;
    private readonly HashSet<ReplicaHost> _owned = [];
    // The owned replicas that tick: a quiesced one leaves the set and rejoins when something
    // wakes it, so an idle group costs its worker nothing per tick.
    private readonly HashSet<ReplicaHost> _ticking = [];
    private readonly List<ReplicaHost> _settled = [];
    // Quiesced replicas give their buffers back after sleeping a while, not between two writes.
    private readonly BufferTrims<ReplicaHost> _trims = new(TrimDelayTicks);
    private readonly Func<ReplicaHost, long, bool> _asleepSince;
    private readonly Action<ReplicaHost> _trim;
    private long _ticks;
    private readonly HashSet<ReplicaHost> _active = [];
    // Replicas asked to snapshot before their threshold (they hold the log's oldest file); worker only.
    private readonly HashSet<ReplicaHost> _snapshotsWanted = [];
    private readonly List<(ReplicaHost Host, Ready Ready)> _batch = [];
    // A turn's outgoing messages, handed to the transport together so that each destination
    // silo gets them all in one Orleans call.
    private readonly List<(ReplicaHost Host, Message Message)> _outbox = [];
    private readonly Dictionary<string, Grains.Interfaces.Protos.MessageBatch?> _batches = new(StringComparer.Ordinal);
    private readonly SiloEngine _engine;
    private readonly ILogger _logger;
    private readonly Func<ulong, bool> _memberDown;
    private int _tickPending;
    // The leader TickAll asks to quiesce, for _memberDown (one delegate, not one per call).
    private ReplicaHost? _quiescing;

    public EngineWorker(int index, SiloEngine engine, ILogger logger)
    {
        Index = index;
        _engine = engine;
        _logger = logger;
        _memberDown = IsMemberDown;
        _asleepSince = (h, generation) => h.QuietGeneration == generation && !h.Closed && h.Member.FailureReason is null
            && h.Member.Node.IsQuiesced && !_ticking.Contains(h);
        _trim = TrimBuffers;
    }

    public int Index { get; }

    public Task? Loop { get; private set; }

    /// <summary>
    /// Runs the worker on a thread of its own: its turn blocks in fsync (the group commit flushes
    /// inline), which must not take a thread-pool thread, and a dedicated thread that sleeps only
    /// when idle saves the thread-pool hops of an async loop.
    /// </summary>
    public void Start(CancellationToken stopping)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Loop = done.Task;
        var thread = new Thread(() =>
        {
            Run(stopping);
            done.SetResult();
        })
        {
            IsBackground = true,
            Name = $"engine-{Index}",
        };
        thread.Start();
    }

    public void Post(in WorkItem item)
    {
        _inbox.Enqueue(item);
        // The other half of Sleep's fence: the item is visible before the flag is read.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            _wake.Set();
        }
    }

    public void Tick()
    {
        if (Interlocked.Exchange(ref _tickPending, 1) == 0)
        {
            Post(new WorkItem(null, WorkKind.Tick));
        }
    }

    public void Complete()
    {
        _completed = true;
        Post(new WorkItem(null, WorkKind.Kick));
    }

    private void Run(CancellationToken stopping)
    {
        try
        {
            while (!_completed && !stopping.IsCancellationRequested)
            {
                var n = 0;
                while (n++ < MaxItemsPerTurn && _inbox.TryDequeue(out var item))
                {
                    if (item.Host is not null || item.Kind is WorkKind.Tick or WorkKind.PeerChanged)
                    {
                        Handle(item);
                    }
                }

                var turn = ProcessReadiesAsync(stopping);
                if (turn.IsCompletedSuccessfully)
                {
                    turn.GetAwaiter().GetResult();
                }
                else
                {
                    turn.AsTask().GetAwaiter().GetResult();
                }

                if (_snapshotsWanted.Count > 0)
                {
                    TakeWantedSnapshotAsync(stopping).AsTask().GetAwaiter().GetResult();
                }

                if (_inbox.IsEmpty)
                {
                    Sleep(stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            EngineLog.WorkerFailed(_logger, ex, Index);
            _engine.OnWorkerFailed(ex);
        }
    }

    private void Sleep(CancellationToken stopping)
    {
        // A full fence: the inbox is read after the flag is visible to posters, who set their
        // item before reading the flag (Dekker's pattern; a volatile write alone may be passed by
        // the read that follows it, and a post would then find the worker awake and not wake it).
        Interlocked.Exchange(ref _sleeping, 1);
        if (!_inbox.IsEmpty)
        {
            // Work arrived while going to sleep: stay awake, unless a poster already saw us
            // asleep and set the event, which must then be reset.
            if (Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                return;
            }
        }

        _wake.Wait(stopping);
        // Only the poster that took _sleeping from 1 to 0 sets the event, and none can again
        // until this worker next goes to sleep: resetting here loses no wake-up.
        _wake.Reset();
    }

    private void Handle(in WorkItem item)
    {
        if (item.Kind == WorkKind.Tick)
        {
            Volatile.Write(ref _tickPending, 0);
            TickAll();
            return;
        }

        if (item.Kind == WorkKind.PeerChanged)
        {
            WakeDependents(item.PeerEvent);
            return;
        }

        var host = item.Host!;
        if (item.Kind == WorkKind.Close)
        {
            host.Closed = true;
            _owned.Remove(host);
            _ticking.Remove(host);
            _active.Remove(host);
            _snapshotsWanted.Remove(host);
            item.Closed!.TrySetResult();
            return;
        }

        if (host.Closed || host.Member.FailureReason is not null)
        {
            return;
        }

        _owned.Add(host);
        var node = host.Member.Node;
        var wasQuiesced = node.IsQuiesced;
        switch (item.Kind)
        {
            case WorkKind.Step:
                node.Step(item.Message!);
                break;
            case WorkKind.Unreachable:
                node.ReportUnreachable(item.Peer);
                break;
            case WorkKind.SnapshotFailed:
                node.ReportSnapshot(item.Peer, false);
                break;
            case WorkKind.Operation:
                try
                {
                    item.Operation!(host.Member);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    EngineLog.OperationFailed(_logger, ex, host.Id);
                }

                break;
            case WorkKind.Kick:
                break;
        }

        if (!node.IsQuiesced)
        {
            if (wasQuiesced)
            {
                // Woken by what it was asked.
                OnWoken(host);
            }
            else
            {
                _ticking.Add(host);
            }
        }

        _active.Add(host);
    }

    // Ticks every replica that is not quiesced; a leader idle for the quiescence delay tries to
    // quiesce its group (the core refuses unless every member holds and committed the whole log).
    private void TickAll()
    {
        var quiesceTicks = _engine.Options.QuiesceTicks;
        foreach (var h in _ticking)
        {
            var node = h.Member.Node;
            if (h.Closed || h.Member.FailureReason is not null || node.IsQuiesced)
            {
                _settled.Add(h);
                continue;
            }

            // Before the tick: quiescing sends the members the commit in its own heartbeats, and
            // this tick's round would be one more for them to answer.
            var leads = quiesceTicks > 0 && node.Role == RaftRole.Leader;
            if (leads && ++h.IdleTicks >= quiesceTicks && TryQuiesce(h))
            {
                _engine.Metrics.Quiesced.Add(1);
                _settled.Add(h);
            }
            else
            {
                node.Tick();
            }

            _active.Add(h);
        }

        _ticks++;
        foreach (var h in _settled)
        {
            _ticking.Remove(h);
            if (!h.Closed && h.Member.FailureReason is null)
            {
                _trims.Plan(h, ++h.QuietGeneration, _ticks);
            }
        }

        _settled.Clear();
        _trims.TakeDue(_ticks, _asleepSince, _trim);
    }

    // A leader quiesces without waiting for members on a suspected silo: heartbeating them each
    // tick until their silo came back would keep every group that elected or wrote during the
    // outage awake for its whole length. When the silo is heard from again, their leader sends
    // them one quiesce heartbeat (WakeDependents), whose answer gets them what they missed.
    private bool TryQuiesce(ReplicaHost leader)
    {
        _quiescing = leader;
        try
        {
            return leader.Member.Node.TryQuiesce(_memberDown);
        }
        finally
        {
            _quiescing = null;
        }
    }

    private bool IsMemberDown(ulong member) =>
        _quiescing is { } h && _engine.OnSuspectedSilo(h.Id.Shard, member);

    // Acts on another silo's change for the quiesced replicas it concerns. Followers whose leader
    // lives there wake when it is suspected or restarted (it may be gone: they must time out and
    // elect). A quiesced leader with a member there stays quiesced and sends that member alone one
    // quiesce heartbeat when it restarted (it came back as a follower that knows no leader) or
    // returned from a suspicion while it may lack entries (the leader quiesced without it): the
    // member learns its leader and commit and goes quiet, or answers that it lags and is sent what
    // it lacks, which wakes the group. Waking every such group instead cost a restart of a silo
    // with 10,000 replicas some 100,000 heartbeats on each other silo. Rare, so a walk over the
    // owned replicas is cheaper than keeping an index up to date.
    private void WakeDependents(PeerEvent change)
    {
        foreach (var h in _owned)
        {
            var node = h.Member.Node;
            if (h.Closed || h.Member.FailureReason is not null || !node.IsQuiesced)
            {
                continue;
            }

            if (node.Role == RaftRole.Leader)
            {
                if (change.Change != PeerChange.Suspected && NotifyMembersOn(h, change.Silo, laggingOnly: change.Change == PeerChange.Returned))
                {
                    _active.Add(h);
                }
            }
            else if (change.Change != PeerChange.Returned && node.Lead != 0 && LivesOn(h, node.Lead, change.Silo))
            {
                node.Wake();
                OnWoken(h);
                _active.Add(h);
            }
        }
    }

    // Asleep since it was planned: it gives back what its busy spells grew (between two turns, so no Ready is outstanding).
    private void TrimBuffers(ReplicaHost host)
    {
        host.Member.TrimBuffers();
        _engine.Store.Find(host.Id)?.TrimBuffers();
    }

    // A woken replica ticks again, and stays awake a whole quiescence delay at least.
    private void OnWoken(ReplicaHost host)
    {
        host.IdleTicks = 0;
        host.QuietGeneration++;
        _engine.Metrics.Woken.Add(1);
        _ticking.Add(host);
    }

    private bool LivesOn(ReplicaHost host, ulong member, string silo) =>
        string.Equals(_engine.SiloOf(host.Id.Shard, member), silo, StringComparison.Ordinal);

    // Sends each member of the quiesced leader's group on the silo a quiesce heartbeat (with
    // laggingOnly, those not known to hold the whole committed log); whether any was sent.
    private bool NotifyMembersOn(ReplicaHost leader, string silo, bool laggingOnly)
    {
        var node = leader.Member.Node;
        var conf = leader.Member.ConfState;
        var sent = false;
        foreach (var id in conf.Voters.Concat(conf.Learners))
        {
            if (id != leader.Id.Replica && LivesOn(leader, id, silo) && !(laggingOnly && node.HoldsCommittedLog(id)))
            {
                sent |= node.SendQuiesceHeartbeat(id);
            }
        }

        return sent;
    }

    private async ValueTask ProcessReadiesAsync(CancellationToken stopping)
    {
        while (_active.Count > 0)
        {
            _batch.Clear();
            long durableAt = -1;
            var persisted = 0;
            foreach (var host in _active)
            {
                if (host.Closed)
                {
                    _owned.Remove(host);
                    continue;
                }

                var node = host.Member.Node;
                if (host.Member.FailureReason is not null || !node.HasReady)
                {
                    continue;
                }

                var rd = node.GetReady();
                if (!rd.Entries.IsEmpty || !rd.CommittedEntries.IsEmpty || !rd.ReadStates.IsEmpty)
                {
                    // Work done: the group is not idle, whatever its leader's tick count says.
                    host.IdleTicks = 0;
                }

                Interlocked.Increment(ref _engine.Stats.Readies);
                Interlocked.Add(ref _engine.Stats.EntriesPersisted, rd.Entries.Length);
                Interlocked.Add(ref _engine.Stats.EntriesApplied, rd.CommittedEntries.Length);
                _engine.Metrics.OnReady(host, rd);
                OnRole(host, rd);
                Collect(host, rd.Messages);
                if (rd.Snapshot is { } snap)
                {
                    await _engine.Store.InstallSnapshotAsync(host.Id, snap, stopping).ConfigureAwait(false);
                    host.Member.StateMachine.RestoreSnapshot(snap.Data.Span);
                    host.Member.ConfState = snap.ConfState;
                    host.Member.SnapshotIndex = snap.Index;
                    host.PublishSize();
                    _engine.Metrics.SnapshotsInstalled.Add(1);
                    EngineLog.SnapshotInstalled(_logger, host.Id, snap.Index);
                    _engine.OnStateRestored(host);
                }

                if (rd.HardState is not null || !rd.Entries.IsEmpty)
                {
                    var at = _engine.Store.Append(host.Id, rd.HardState, rd.Entries);
                    persisted += rd.Entries.Length;
                    // A hard state whose only change is the commit index need not be durable before
                    // the turn goes on (a lost commit is learned again): waiting for it put an fsync
                    // between a write's commit and its answer. The next wait covers it anyway.
                    if (rd.MustSync)
                    {
                        durableAt = Math.Max(durableAt, at);
                    }
                }

                _batch.Add((host, rd));
            }

            _active.Clear();
            // Appends may leave before the leader's own write is durable (Raft thesis 10.2.1).
            FlushOutbox();
            Interlocked.Increment(ref _engine.Stats.Turns);
            if (durableAt >= 0)
            {
                Interlocked.Increment(ref _engine.Stats.DurableWaits);
                var metrics = _engine.Metrics;
                var started = EngineMetrics.Start(metrics.GroupCommitDuration);
                // The group commit: one wait (one fsync) for every replica of this turn.
                await _engine.Store.WaitDurableAsync(durableAt, stopping).ConfigureAwait(false);
                EngineMetrics.RecordSince(metrics.GroupCommitDuration, started);
                metrics.GroupCommitEntries.Record(persisted);
            }

            foreach (var (host, rd) in _batch)
            {
                await FinishAsync(host, rd, stopping).ConfigureAwait(false);
                if (!host.Member.Node.IsQuiesced)
                {
                    // Woken by its own acknowledgements, or never asleep: ticking either way.
                    _ticking.Add(host);
                }

                if (host.Member.Node.HasReady)
                {
                    _active.Add(host);
                }
            }

            FlushOutbox();

            // Lets go of the turn's Readies: one a replica's trim dropped would otherwise live on
            // here, with the lists of its busiest turn, until the worker's next turn.
            _batch.Clear();

            // Let newly arrived messages join the next batch instead of looping on stragglers alone.
            if (_active.Count > 0 && !_inbox.IsEmpty)
            {
                foreach (var h in _active)
                {
                    Post(new WorkItem(h, WorkKind.Kick));
                }

                _active.Clear();
            }
        }
    }

    private async ValueTask FinishAsync(ReplicaHost host, Ready rd, CancellationToken stopping)
    {
        var grain = host.Member;
        Collect(host, rd.PersistedMessages);
        var appliedBefore = grain.StateMachine.LastAppliedIndex;
        var confBefore = grain.ConfState;
        var metrics = _engine.Metrics;
        var applying = rd.CommittedEntries.IsEmpty ? 0 : EngineMetrics.Start(metrics.ApplyDuration);
        if (!grain.ApplyCommitted(rd.CommittedEntries))
        {
            EngineLog.ReplicaStopped(_logger, host.Id, grain.FailureReason ?? "stopped");
            return;
        }

        EngineMetrics.RecordSince(metrics.ApplyDuration, applying);
        metrics.Applied.Add(rd.CommittedEntries.Length);

        grain.OnReadStates(rd.ReadStates);
        var snapshotTargets = SnapshotTargets(rd);
        grain.Node.Advance();
        foreach (var to in snapshotTargets)
        {
            // Sent (queued) is reported as done; a send failure reports it failed (Raft retries).
            grain.Node.ReportSnapshot(to, true);
        }

        grain.AfterReady();
        if (grain.StateMachine.LastAppliedIndex != appliedBefore)
        {
            host.PublishSize();
            _engine.OnApplied(host, confChanged: !ReferenceEquals(confBefore, grain.ConfState));
            await MaybeSnapshotAsync(host, stopping).ConfigureAwait(false);
        }
    }

    private void Collect(ReplicaHost host, ReadOnlySpan<Message> messages)
    {
        foreach (var m in messages)
        {
            _outbox.Add((host, m));
        }
    }

    private void FlushOutbox()
    {
        if (_outbox.Count == 0)
        {
            return;
        }

        _engine.SendTurn(_outbox, _batches);
        Interlocked.Add(ref _engine.Stats.MessagesSent, _outbox.Count);
        _outbox.Clear();
    }

    private static List<ulong> SnapshotTargets(Ready rd)
    {
        List<ulong>? targets = null;
        foreach (var m in rd.Messages)
        {
            if (m.Type == MessageType.Snapshot)
            {
                (targets ??= []).Add(m.To);
            }
        }

        return targets ?? [];
    }

    /// <summary>Asks for a snapshot of the replica before its threshold (on this worker): it holds the log's oldest file.</summary>
    public void WantSnapshot(ReplicaHost host) => _snapshotsWanted.Add(host);

    // One per turn, called when one is wanted: each is a file and its syncs, and the worker's
    // other replicas wait meanwhile (the tick wakes the worker for the rest).
    private async ValueTask TakeWantedSnapshotAsync(CancellationToken stopping)
    {
        var host = _snapshotsWanted.First();
        _snapshotsWanted.Remove(host);
        if (!host.Closed && host.Member.FailureReason is null)
        {
            await MaybeSnapshotAsync(host, stopping, early: true).ConfigureAwait(false);
        }
    }

    private async ValueTask MaybeSnapshotAsync(ReplicaHost host, CancellationToken stopping, bool early = false)
    {
        var grain = host.Member;
        var applied = grain.StateMachine.LastAppliedIndex;
        if (applied <= grain.SnapshotIndex || (!early && applied - grain.SnapshotIndex < (ulong)_engine.Options.SnapshotEntries))
        {
            return;
        }

        var data = grain.StateMachine.WriteSnapshot();
        await _engine.Store.SaveSnapshotAsync(host.Id, applied, grain.ConfState, data, stopping).ConfigureAwait(false);
        grain.SnapshotIndex = applied;
        _engine.Metrics.SnapshotsSaved.Add(1);
        var keep = (ulong)_engine.Options.SnapshotKeepEntries;
        var compactTo = applied > keep ? applied - keep : 0;
        var view = _engine.Store.Find(host.Id);
        if (view is not null && compactTo > view.FirstIndex)
        {
            await _engine.Store.CompactAsync(host.Id, compactTo, stopping).ConfigureAwait(false);
        }

        EngineLog.SnapshotSaved(_logger, host.Id, applied, compactTo);
    }

    private void OnRole(ReplicaHost host, Ready rd)
    {
        if (rd.SoftState is not { } ss)
        {
            return;
        }

        host.Leads = ss.Role == RaftRole.Leader;
        _engine.NoteChange(host);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            EngineLog.RoleChanged(_logger, host.Id, ss.Role.ToString(), host.Member.Node.Term, ss.Lead);
        }
    }
}
