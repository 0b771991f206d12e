using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using MultiRaft.Grains.Replica;
using MultiRaft.Raft;
using MultiRaft.Silo.Hosting;
using MultiRaft.Storage;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Silo.Messaging;

namespace MultiRaft.Silo.Engine;

/// <summary>
/// The silo's engine: a fixed pool of workers stepping the Raft members of the replicas this silo hosts, one
/// tick timer for all of them, and the glue to storage and transport. A silo hosts at most one
/// replica of a shard, so replicas are found by shard id; traffic for a replica this silo does
/// not host is dropped.
/// </summary>
internal sealed class SiloEngine : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ulong, ReplicaHost> _byShard = new();
    // Per reader, the replicas marked changed since it last took them (each once): taking walks
    // these, not every replica (10,000 of them, twice a pass, five passes a second).
    private readonly ConcurrentQueue<ReplicaHost> _changedForMaintenance = new();
    private readonly ConcurrentQueue<ReplicaHost> _changedForReport = new();
    // The highest shard id ever hosted here, for looking a slice of the shards up by id.
    private ulong _highestShard;
    private readonly ConcurrentDictionary<(ulong Shard, ulong Replica), string> _peerHints = new();
    private readonly EngineWorker[] _workers;
    private readonly PeerLiveness _liveness;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly IdleHeapCompaction _compaction = new(TimeProvider.System);
    private Task? _ticker;
    private int _disposed;

    /// <summary>Creates the engine; its instruments go on <paramref name="meter"/> (the silo's <c>MultiRaft</c> meter).</summary>
    public SiloEngine(SiloOptions options, ReplicaStore store, ILogger logger, Meter meter)
    {
        Options = options;
        Store = store;
        _logger = logger;
        Metrics = new EngineMetrics(meter, this);
        // A second apart at least: the time a follower takes to install a snapshot, during which its
        // leader keeps asking for another.
        Snapshots = new SnapshotStreamer(options.SnapshotChunkBytes, options.SnapshotBytesPerSecond, TimeSpan.FromSeconds(1), TimeProvider.System,
            _stopping.Token);
        _liveness = new PeerLiveness(options.ElectionTicks);
        var n = options.Workers > 0 ? options.Workers : Environment.ProcessorCount;
        _workers = new EngineWorker[n];
        for (var i = 0; i < n; i++)
        {
            _workers[i] = new EngineWorker(i, this, logger);
        }
    }

    public SiloOptions Options { get; }

    /// <summary>Batching counters, logged every 10 s while the silo is busy.</summary>
    public EngineStats Stats { get; } = new();

    public ReplicaStore Store { get; }

    public EngineMetrics Metrics { get; }

    /// <summary>Sends the snapshot messages too large for one call, in paced pieces.</summary>
    public SnapshotStreamer Snapshots { get; }

    /// <summary>Where messages for other silos go; set when the silo starts.</summary>
    public IRaftSender? Sender { get; set; }

    /// <summary>The silo of a replica, from the router's map; null if unknown (then the sender's hint is used).</summary>
    public Func<ulong, ulong, string?>? ResolveSilo { get; set; }

    /// <summary>Called on the worker after a replica applied entries (the router publishes its view).</summary>
    public Action<ReplicaMember>? Applied { get; set; }

    /// <summary>A message arrived for a replica this silo does not host yet (the cluster layer may create it).</summary>
    public Action<ulong, ulong>? UnknownReplica { get; set; }

    /// <summary>Raised when a worker dies (a storage fault): the host stops the silo.</summary>
    public event Action<Exception>? Failed;

    // Enumerated, not ConcurrentDictionary.Values: that copies every entry under all its locks,
    // and passes walk 10,000 replicas several times a second.
    public IEnumerable<ReplicaMember> Replicas => _byShard.Select(kv => kv.Value.Member);

    private long _changes;

    /// <summary>
    /// Counts the events that can change what the cluster layer's passes read off the replicas
    /// here: a role taken or lost, entries applied (configuration, keys, range), a snapshot
    /// restored, a replica added or removed. Each is counted after it is visible, so a pass that
    /// read the count before looking, and found nothing to do, need not look again until it moves.
    /// </summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>
    /// Adds to <paramref name="into"/> the replicas that changed since <paramref name="reader"/>
    /// last took them, and clears their marks. A reader that read <see cref="Changes"/> before
    /// taking misses no change the count includes: a replica is marked before it is counted.
    /// </summary>
    public void TakeChanged(ChangeReader reader, List<ReplicaMember> into)
    {
        // A replica is queued when its mark for the reader is set, before the change is counted,
        // and leaves the queue only here, where the mark is cleared: every marked replica is queued.
        var queue = reader == ChangeReader.Maintenance ? _changedForMaintenance : _changedForReport;
        while (queue.TryDequeue(out var host))
        {
            if (host.TakeChanged(reader) && !host.Closed)
            {
                into.Add(host.Member);
            }
        }
    }

    internal void NoteChange(ReplicaHost? host = null)
    {
        if (host is not null)
        {
            var newlyMarked = host.MarkChanged();
            if ((newlyMarked & ChangeReader.Maintenance) != 0)
            {
                _changedForMaintenance.Enqueue(host);
            }

            if ((newlyMarked & ChangeReader.Report) != 0)
            {
                _changedForReport.Enqueue(host);
            }
        }

        Interlocked.Increment(ref _changes);
    }

    /// <summary>Marks the replica of <paramref name="shardId"/> changed, if hosted here, and counts the change.</summary>
    internal void NoteChange(ulong shardId)
    {
        if (_byShard.TryGetValue(shardId, out var host))
        {
            NoteChange(host);
        }
    }

    /// <summary>
    /// Adds to <paramref name="into"/> the replicas of the shards whose id leaves
    /// <paramref name="remainder"/> divided by <paramref name="modulus"/>: looked up by id when
    /// that is fewer lookups than replicas, so a pass that visits one slice of them does not walk all.
    /// </summary>
    public void CollectSlice(ulong remainder, ulong modulus, List<ReplicaMember> into)
    {
        var highest = Interlocked.Read(ref _highestShard);
        if (highest / modulus <= (ulong)_byShard.Count)
        {
            for (var shard = remainder; shard <= highest; shard += modulus)
            {
                if (_byShard.TryGetValue(shard, out var host))
                {
                    into.Add(host.Member);
                }
            }

            return;
        }

        foreach (var (shard, host) in _byShard)
        {
            if (shard % modulus == remainder)
            {
                into.Add(host.Member);
            }
        }
    }

    /// <summary>Starts the workers and the ticks (once each).</summary>
    public void Start()
    {
        StartWorkers();
        _ticker ??= Task.Run(TickLoopAsync, CancellationToken.None);
    }

    /// <summary>
    /// Starts only the workers (once): replicas added then process what they hold (apply their
    /// committed entries) but, without ticks, never campaign or time out.
    /// </summary>
    public void StartWorkers()
    {
        if (Interlocked.Exchange(ref _workersStarted, 1) == 0)
        {
            foreach (var w in _workers)
            {
                w.Start(_stopping.Token);
            }
        }
    }

    private int _workersStarted;

    /// <summary>
    /// Starts hosting a replica whose Raft state is in the store (recovered, or installed as a
    /// bootstrap snapshot); a replica with no state starts empty and waits for its leader's snapshot.
    /// </summary>
    public ReplicaMember AddReplica(ReplicaId id, IReplicaStateMachine stateMachine)
    {
        var view = Store.GetOrCreate(id);
        var snap = view.GetSnapshot();
        if (snap is not null && !snap.IsEmpty)
        {
            stateMachine.RestoreSnapshot(snap.Data.Span);
        }

        var node = new RawNode(new RaftConfig
        {
            Id = id.Replica,
            Storage = view,
            ElectionTick = Options.ElectionTicks,
            HeartbeatTick = 1,
            Applied = snap?.Index ?? 0,
            CheckQuorum = true,
            PreVote = true,

            // Thousands of groups, most written now and then: an empty append and its answer per
            // follower after each write cost more than a follower applying a tick later.
            CommitNoticeByHeartbeat = true,
            MaxSizePerMsg = 1024 * 1024,
            MaxInflightMsgs = 256,
            MaxUncommittedEntriesSize = 64L * 1024 * 1024,
        });
        var member = new ReplicaMember(id.Shard, id.Replica, node, stateMachine)
        {
            SnapshotIndex = snap?.Index ?? 0,
            ConfState = view.InitialState().ConfState,
        };
        var worker = _workers[(int)(id.Shard % (ulong)_workers.Length)];
        var host = new ReplicaHost(id, member, worker);
        if (!_byShard.TryAdd(id.Shard, host))
        {
            throw new InvalidOperationException($"this silo already hosts a replica of shard {id.Shard}");
        }

        for (var highest = Interlocked.Read(ref _highestShard); id.Shard > highest;)
        {
            var seen = Interlocked.CompareExchange(ref _highestShard, id.Shard, highest);
            highest = seen == highest ? id.Shard : seen;
        }

        NoteChange(host);
        EngineLog.ReplicaStarted(_logger, id, snap?.Index ?? 0, snap?.Index ?? 0);
        if (snap is not null)
        {
            // On the member's worker, like every later apply: the worker may be applying to the
            // same state machine as soon as it is posted to, so the caller must not read it.
            worker.Post(new WorkItem(host, WorkKind.Operation, Operation: _ =>
            {
                host.PublishSize();
                OnStateRestored(host);
            }));
        }

        worker.Post(new WorkItem(host, WorkKind.Kick));

        return member;
    }

    /// <summary>Stops hosting a replica and deletes its state (it moved off this silo).</summary>
    public async ValueTask RemoveReplicaAsync(ulong shardId, CancellationToken cancellationToken)
    {
        if (_byShard.TryGetValue(shardId, out var host))
        {
            // Closed on its worker between two turns: every write of the replica is then queued
            // before the deletion, and none comes after it to bring the replica back on recovery.
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            host.Worker.Post(new WorkItem(host, WorkKind.Close, Closed: closed));
            await closed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            _byShard.TryRemove(new KeyValuePair<ulong, ReplicaHost>(shardId, host));
            NoteChange();
            await Store.DeleteAsync(host.Id, cancellationToken).ConfigureAwait(false);
            EngineLog.ReplicaRemoved(_logger, host.Id);
        }
    }

    public ReplicaMember? Find(ulong shardId) => _byShard.TryGetValue(shardId, out var h) && !h.Closed ? h.Member : null;

    /// <summary>This silo's replica of the shard led its group at its last role change (a hint: the replica's turn decides).</summary>
    public bool Leads(ulong shardId) => _byShard.TryGetValue(shardId, out var h) && !h.Closed && h.Leads;

    /// <summary>Runs <paramref name="operation"/> on the replica's turn. False if the silo hosts no replica of the shard.</summary>
    public bool Post(ulong shardId, Action<ReplicaMember> operation)
    {
        if (!_byShard.TryGetValue(shardId, out var host) || host.Closed)
        {
            return false;
        }

        host.Worker.Post(new WorkItem(host, WorkKind.Operation, Operation: operation));
        return true;
    }

    /// <summary>A message from <paramref name="fromSilo"/> for the local replica <c>To</c> of <paramref name="shardId"/>. Never blocks.</summary>
    public void Deliver(string fromSilo, ulong shardId, Message message)
    {
        // Only what the router's map cannot tell (a replica newer than the map): a hint for every
        // peer of every shard held 20,000 entries, 1.3 MB, on a silo with 10,000 replicas.
        if (ResolveSilo?.Invoke(shardId, message.From) is null)
        {
            var key = (shardId, message.From);
            if (!_peerHints.TryGetValue(key, out var known) || !string.Equals(known, fromSilo, StringComparison.Ordinal))
            {
                _peerHints[key] = fromSilo;
            }
        }

        Metrics.MessagesReceived.Add(1);
        if (_byShard.TryGetValue(shardId, out var host) && host.Id.Replica == message.To && !host.Closed)
        {
            host.Worker.Post(new WorkItem(host, WorkKind.Step, message));
        }
        else
        {
            UnknownReplica?.Invoke(shardId, message.To);
        }
    }

    /// <summary>
    /// A batch (Raft traffic or a liveness beat) arrived from <paramref name="fromSilo"/>, whose
    /// incarnation is <paramref name="incarnation"/> (0: not said). Any thread; never blocks.
    /// </summary>
    public void Heard(string fromSilo, ulong incarnation)
    {
        if (fromSilo.Length > 0)
        {
            _liveness.Heard(fromSilo, incarnation);
        }
    }

    /// <summary>The message to <paramref name="toSilo"/> was not sent: Raft probes the peer again.</summary>
    public void ReportUnreachable(string toSilo, ulong shardId, Message message)
    {
        if (_byShard.TryGetValue(shardId, out var host) && host.Id.Replica == message.From && !host.Closed)
        {
            host.Worker.Post(new WorkItem(host, WorkKind.Unreachable, Peer: message.To));
            if (message.Type == MessageType.Snapshot)
            {
                host.Worker.Post(new WorkItem(host, WorkKind.SnapshotFailed, Peer: message.To));
            }
        }
    }

    /// <summary>
    /// Whether the silo hosting <paramref name="replica"/> of <paramref name="shard"/> has been
    /// silent for an election timeout (this silo's view; false when its silo is unknown). Any thread.
    /// </summary>
    public bool OnSuspectedSilo(ulong shard, ulong replica) => SiloOf(shard, replica) is { } silo && _liveness.IsSuspected(silo);

    /// <summary>The silo hosting <paramref name="replica"/> of <paramref name="shard"/>, by the router's map or the last message seen from it.</summary>
    public string? SiloOf(ulong shard, ulong replica) =>
        ResolveSilo?.Invoke(shard, replica) ?? (_peerHints.TryGetValue((shard, replica), out var s) ? s : null);

    /// <summary>
    /// Sends one worker turn's messages, called on that worker (which owns every sending replica):
    /// one batch per destination silo. A message whose silo is unknown or not an active member is
    /// reported unreachable at once, so Raft probes instead of streaming into the void.
    /// </summary>
    internal void SendTurn(List<(ReplicaHost Host, Message Message)> outbox, Dictionary<string, MessageBatch?> batches)
    {
        var sender = Sender;
        foreach (var (host, m) in outbox)
        {
            var silo = SiloOf(host.Id.Shard, m.To);
            if (silo is null || sender is null)
            {
                Unsent(host, m);
                continue;
            }

            // Reachability is asked once per destination per turn; null marks one that is not.
            if (!batches.TryGetValue(silo, out var batch))
            {
                batches[silo] = batch = sender.IsReachable(silo) ? new MessageBatch() : null;
            }

            if (batch is null)
            {
                Unsent(host, m);
                continue;
            }

            RaftMessage wire;
            try
            {
                wire = RaftWire.ToWire(m);
            }
            catch (ArgumentException ex)
            {
                EngineLog.Unsendable(_logger, ex, host.Id, m.Type.ToString());
                Unsent(host, m);
                continue;
            }

            if (m.Type == MessageType.Snapshot && Snapshots.Streams(wire.Snapshot.Data.Length))
            {
                StreamSnapshot(sender, silo, host.Id.Shard, m, wire);
                continue;
            }

            batch.Messages.Add(new ShardMessage { ShardId = host.Id.Shard, Message = wire });
            Metrics.OnSent(m.Type);
        }

        foreach (var (silo, batch) in batches)
        {
            if (batch is { Messages.Count: > 0 })
            {
                Interlocked.Increment(ref Stats.Calls);
                Metrics.OnCall(batch.Messages.Count);
                sender!.Send(silo, batch);
            }
        }

        // New batches each turn: a sent batch's lists may still be read by the serializer.
        batches.Clear();
    }

    // Its own method: the lambda's captures, declared in SendTurn's loop, made every message
    // sent allocate their closure, snapshot or not.
    private void StreamSnapshot(IRaftSender sender, string silo, ulong shard, Message m, RaftMessage wire)
    {
        if (Snapshots.TryStart(sender, silo, shard, wire, () => ReportUnreachable(silo, shard, m)))
        {
            Metrics.OnSent(m.Type);
            Metrics.SnapshotsStreamed.Add(1);
        }
    }

    private static void Unsent(ReplicaHost host, Message m)
    {
        host.Member.Node.ReportUnreachable(m.To);
        if (m.Type == MessageType.Snapshot)
        {
            host.Member.Node.ReportSnapshot(m.To, false);
        }
    }

    /// <summary>
    /// The replicas this silo hosts (not closed) that <paramref name="which"/> holds true of, for the
    /// metrics scrape: read off their workers on the scrape's thread, an estimate.
    /// </summary>
    internal int CountReplicas(Func<ReplicaHost, bool> which)
    {
        var n = 0;
        foreach (var (_, h) in _byShard)
        {
            if (!h.Closed && which(h))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Each data shard's key count or byte size on this silo, tagged by shard (for the metrics scrape).</summary>
    internal IEnumerable<Measurement<long>> ShardSizes(bool bytes)
    {
        var sizes = new List<Measurement<long>>();
        foreach (var (shard, h) in _byShard)
        {
            if (shard != 0 && !h.Closed)
            {
                sizes.Add(new Measurement<long>(bytes ? h.Bytes : h.Keys, new KeyValuePair<string, object?>("shard", shard)));
            }
        }

        return sizes;
    }

    internal void OnApplied(ReplicaHost host, bool confChanged)
    {
        // The meta shard applies every silo's heartbeats several times a second; what passes read
        // of it (its configuration, its leader) changes only with a membership change or a role.
        if (confChanged || host.Id.Shard != 0)
        {
            NoteChange(host);
        }

        Applied?.Invoke(host.Member);
    }

    internal void OnStateRestored(ReplicaHost host)
    {
        NoteChange(host);
        Applied?.Invoke(host.Member);
    }

    internal void OnWorkerFailed(Exception ex) => Failed?.Invoke(ex);

    private async Task TickLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Options.TickMs));
        var statsEvery = Math.Max(1, 10_000 / Options.TickMs);
        var relocateEvery = Math.Max(1, 1_000 / Options.TickMs);
        var quietAfter = Math.Max(1, RelocationDelayMs / Options.TickMs);
        var last = Stats.Snapshot();
        var gcLast = GcFigures.Now();
        try
        {
            for (long tick = 1; await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false); tick++)
            {
                foreach (var w in _workers)
                {
                    w.Tick();
                }

                TickLiveness();
                // Not while a restarted silo catches up: the pass can wait, the replicas cannot.
                if (tick % relocateEvery == 0 && tick >= quietAfter)
                {
                    RelocateHoldBacks();
                }

                if (tick % statsEvery == 0)
                {
                    var now = Stats.Snapshot();
                    var d = now.Minus(last);
                    last = now;
                    var gcNow = GcFigures.Now();
                    var gc = gcNow.Minus(gcLast);
                    gcLast = gcNow;
                    if (d.EntriesPersisted > statsEvery * 10L)
                    {
                        EngineLog.Batching(_logger, d.Turns, d.DurableWaits, d.EntriesPersisted, d.EntriesApplied, d.MessagesSent,
                            d.DurableWaits == 0 ? 0 : (double)d.EntriesPersisted / d.DurableWaits, d.Calls,
                            d.Calls == 0 ? 0 : (double)d.MessagesSent / d.Calls);
                        EngineLog.Collections(_logger, gc.Gen0, gc.Gen1, gc.Gen2, gc.Pause.TotalMilliseconds, gcNow.HeapBytes / (1024 * 1024));
                    }

                    if (_compaction.MaybeCompact(d.EntriesPersisted) is { } c)
                    {
                        EngineLog.HeapCompacted(_logger, c.FragmentedBytes / (1024 * 1024), c.HeapBefore / (1024 * 1024), c.HeapAfter / (1024 * 1024),
                            (long)c.Took.TotalMilliseconds);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Replicas freeing the log's oldest file per second, at most.</summary>
    internal const int RelocationsPerSecond = 2_000;

    /// <summary>How long after the engine starts ticking the log's oldest file is first freed.</summary>
    internal const int RelocationDelayMs = 30_000;

    /// <summary>A replica with more live entries than this frees the log's oldest file by a snapshot instead.</summary>
    internal const int RelocatedEntriesMax = 64;

    // Idle replicas hold the oldest log file, and with it every later one, until they compact:
    // a batch of them each second, each on its own worker (where its appends are made), writes
    // its few live entries again at the head, or takes a snapshot if it has more.
    internal void RelocateHoldBacks()
    {
        if (Store.Provider is not ILogHoldBacks log)
        {
            return;
        }

        IReadOnlyList<(ReplicaId Replica, ulong LiveEntries)> holders;
        try
        {
            holders = log.HoldingBackOldest(RelocationsPerSecond);
        }
        catch (Exception ex) when (ex is StorageFaultException or ObjectDisposedException)
        {
            return; // failed (the workers learn it from their own appends) or stopping
        }

        var snapshots = 0;
        foreach (var (id, live) in holders)
        {
            if (!_byShard.TryGetValue(id.Shard, out var host) || host.Id != id || host.Closed)
            {
                continue;
            }

            if (live <= RelocatedEntriesMax)
            {
                host.Worker.Post(new WorkItem(host, WorkKind.Operation, Operation: _ => Store.Relocate(id)));
            }
            else
            {
                snapshots++;
                host.Worker.Post(new WorkItem(host, WorkKind.Operation, Operation: _ => host.Worker.WantSnapshot(host)));
            }
        }

        if (holders.Count > 0)
        {
            EngineLog.Relocating(_logger, holders.Count - snapshots, snapshots);
        }
    }

    // The silo-pair half of quiescence: one beat per other silo per tick tells them this silo's
    // leaders live, and what other silos did or did not say wakes the quiesced replicas concerned.
    private void TickLiveness()
    {
        try
        {
            Sender?.SendBeats();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A beat lost is a beat late: the tick loop, which every replica's timing needs, goes on.
            EngineLog.BeatsFailed(_logger, ex);
        }

        foreach (var change in _liveness.Tick())
        {
            Metrics.OnPeerChange(change.Change);
            if (change.Change == PeerChange.Suspected)
            {
                Interlocked.Increment(ref Stats.Suspicions);
            }

            EngineLog.PeerChanged(_logger, change.Silo, change.Change.ToString());
            foreach (var w in _workers)
            {
                w.Post(new WorkItem(null, WorkKind.PeerChanged, PeerEvent: change));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered under two service types, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var w in _workers)
        {
            w.Complete();
        }

        foreach (var w in _workers)
        {
            if (w.Loop is { } loop)
            {
                await loop.ConfigureAwait(false);
            }
        }

        if (_ticker is not null)
        {
            await _ticker.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
