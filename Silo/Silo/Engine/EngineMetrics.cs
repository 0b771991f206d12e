using System.Diagnostics;
using System.Diagnostics.Metrics;
using MultiRaft.Raft;
using MultiRaft.Storage;

namespace MultiRaft.Silo.Engine;

/// <summary>
/// The engine's instruments on the silo's <c>MultiRaft</c> meter (<see cref="Hosting.MultiRaftMeter"/>), created
/// once per engine. Everything is observed around the Raft core, which has no clock: elections from
/// the hard and soft states a Ready carries, transfers from the TimeoutNow messages a leader sends,
/// latencies from the engine's own timestamps. Recording takes no tags and allocates nothing;
/// timestamps are taken only while a histogram has a listener.
/// </summary>
internal sealed class EngineMetrics
{
    // Bucket bounds for counts per batch (entries per group commit, messages per call).
    private static readonly IReadOnlyList<long> CountBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384];

    // Bounds the leader's queue of appended batches while nothing commits (no quorum).
    private const int MaxTrackedBatches = 4096;

    private readonly Meter _meter;

    public EngineMetrics(Meter meter, SiloEngine engine)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _meter = meter;
        Proposals = meter.CreateCounter<long>("multiraft.proposals", "{entry}",
            "Entries the leaders on this silo appended to their logs (writes, sessions, router commands, membership changes, a new leader's empty entry)");
        Commits = meter.CreateCounter<long>("multiraft.commits", "{entry}", "Entries the leaders on this silo saw committed");
        Applied = meter.CreateCounter<long>("multiraft.entries.applied", "{entry}", "Committed entries applied by every replica on this silo");
        CommitDuration = Latency(meter, "multiraft.commit.duration",
            "Per entry, from its leader handing it to storage until the leader sees it committed");
        ApplyDuration = Latency(meter, "multiraft.apply.duration", "Applying one Ready's committed entries to a replica's state machine");
        GroupCommitDuration = Latency(meter, "multiraft.group_commit.duration",
            "One engine turn's wait for its appends to be durable (one fsync for every replica of the turn, any storage provider)");
        GroupCommitEntries = PerBatch(meter, "multiraft.group_commit.entries", "{entry}",
            "Entries made durable by one group commit (one engine turn's appends)");
        MessagesSent = meter.CreateCounter<long>("multiraft.messages.sent", "{message}", "Raft messages sent to other silos");
        MessagesReceived = meter.CreateCounter<long>("multiraft.messages.received", "{message}", "Raft messages received from other silos");
        CallsSent = meter.CreateCounter<long>("multiraft.calls.sent", "{call}", "One-way Orleans calls carrying Raft messages (one per destination silo per turn)");
        MessagesPerCall = PerBatch(meter, "multiraft.call.messages", "{message}", "Raft messages carried by one Orleans call");
        SnapshotsSent = meter.CreateCounter<long>("multiraft.snapshots.sent", "{snapshot}", "Snapshots the leaders on this silo sent to lagging followers");
        SnapshotsStreamed = meter.CreateCounter<long>("multiraft.snapshots.streamed", "{snapshot}",
            "Snapshots too large for one call that the leaders on this silo sent in paced pieces (counted in multiraft.snapshots.sent too)");
        SnapshotsInstalled = meter.CreateCounter<long>("multiraft.snapshots.installed", "{snapshot}", "Snapshots from a leader installed by replicas on this silo");
        SnapshotsSaved = meter.CreateCounter<long>("multiraft.snapshots.saved", "{snapshot}", "Snapshots replicas on this silo took of their own state to compact their logs");
        Elections = meter.CreateCounter<long>("multiraft.elections", "{election}", "Campaigns started by replicas on this silo (each raises the term)");
        ElectionsWon = meter.CreateCounter<long>("multiraft.elections.won", "{election}", "Replicas on this silo that became leader");
        LeaderTransfers = meter.CreateCounter<long>("multiraft.leader_transfers", "{transfer}",
            "Leadership handed over by leaders on this silo (TimeoutNow sent to the transferee)");
        meter.CreateObservableGauge("multiraft.replicas", () => engine.CountReplicas(static _ => true), "{replica}",
            "Replicas this silo hosts");
        meter.CreateObservableGauge("multiraft.leaders", () => engine.CountReplicas(static h => h.Leads), "{replica}",
            "Replicas on this silo that lead their shard");
        meter.CreateObservableGauge("multiraft.replicas.quiesced", () => engine.CountReplicas(static h => h.Member.Node.IsQuiesced), "{replica}",
            "Replicas on this silo whose group is idle: they neither tick nor heartbeat until something wakes them");
        Quiesced = meter.CreateCounter<long>("multiraft.quiesced", "{group}", "Idle groups the leaders on this silo quiesced");
        Woken = meter.CreateCounter<long>("multiraft.woken", "{replica}",
            "Quiesced replicas on this silo woken by a message, a request or another silo's suspicion or restart");
        PeerChanges = meter.CreateCounter<long>("multiraft.peer.changes", "{event}",
            "Other silos this silo began to suspect (change=suspected: silent for an election timeout), saw restart (change=restarted) or heard again after a suspicion (change=returned)");
        meter.CreateObservableGauge("multiraft.replicas.nonempty", () => engine.CountReplicas(static h => h.Id.Shard != 0 && h.Keys > 0), "{replica}",
            "Data replicas on this silo holding at least one key (one series, where the per-shard gauges stop at OpenTelemetry's 2,000 series)");
        meter.CreateObservableGauge("multiraft.shard.keys", () => engine.ShardSizes(bytes: false), "{key}",
            "Keys in each data shard's replica on this silo (tag shard)");
        meter.CreateObservableGauge("multiraft.shard.bytes", () => engine.ShardSizes(bytes: true), "By",
            "Key and value bytes in each data shard's replica on this silo (tag shard)");
    }

    /// <summary>
    /// Publishes the shards with replica changes still being carried out, as this silo's copy of
    /// the router's map sees them (the cluster component owns that map, so it supplies the count).
    /// </summary>
    public void ObserveMoves(Func<int> movesInProgress) =>
        _meter.CreateObservableGauge("multiraft.moves", movesInProgress, "{shard}",
            "Shards whose leader has not yet carried out the router's replica changes (moves, replacements, drains)");

    public Counter<long> Proposals { get; }

    public Counter<long> Commits { get; }

    public Counter<long> Applied { get; }

    public Histogram<double> CommitDuration { get; }

    public Histogram<double> ApplyDuration { get; }

    public Histogram<double> GroupCommitDuration { get; }

    public Histogram<long> GroupCommitEntries { get; }

    public Counter<long> MessagesSent { get; }

    public Counter<long> MessagesReceived { get; }

    public Counter<long> CallsSent { get; }

    public Histogram<long> MessagesPerCall { get; }

    public Counter<long> SnapshotsSent { get; }

    public Counter<long> SnapshotsStreamed { get; }

    public Counter<long> SnapshotsInstalled { get; }

    public Counter<long> SnapshotsSaved { get; }

    public Counter<long> Elections { get; }

    public Counter<long> ElectionsWon { get; }

    public Counter<long> LeaderTransfers { get; }

    public Counter<long> Quiesced { get; }

    public Counter<long> Woken { get; }

    public Counter<long> PeerChanges { get; }

    public void OnPeerChange(PeerChange change) =>
        PeerChanges.Add(1, new KeyValuePair<string, object?>("change", change switch
        {
            PeerChange.Suspected => "suspected",
            PeerChange.Restarted => "restarted",
            _ => "returned",
        }));

    /// <summary>
    /// Observes a Ready just taken from <paramref name="host"/>'s node, before its role change is
    /// recorded on the host: campaigns, won elections, a leader's own new entries (proposals) and
    /// the entries it sees committed, with their latency since they were handed to storage.
    /// </summary>
    public void OnReady(ReplicaHost host, Ready rd)
    {
        var node = host.Member.Node;
        if (rd.HardState is { } hs)
        {
            // A candidate raises the term and votes for itself in one step; a follower that learns
            // of a higher term votes for nobody, or for another.
            if (hs.Term > host.Term && hs.Vote == host.Id.Replica)
            {
                Elections.Add(1);
            }

            host.Term = Math.Max(host.Term, hs.Term);
        }

        if (rd.SoftState is { Role: RaftRole.Leader } && !host.Leads)
        {
            ElectionsWon.Add(1);
        }

        var leads = node.Role == RaftRole.Leader;
        var entries = rd.Entries;
        if (leads && !entries.IsEmpty)
        {
            // A leader's own entries are of its term, at the end; any before came from the leader it followed.
            var term = node.Term;
            var first = entries.Length;
            while (first > 0 && entries[first - 1].Term == term)
            {
                first--;
            }

            if (first < entries.Length)
            {
                Proposals.Add(entries.Length - first);
                if (CommitDuration.Enabled && host.Appended.Count < MaxTrackedBatches)
                {
                    host.Appended.Enqueue(new AppendedBatch(entries[first].Index, entries[^1].Index, term, Stopwatch.GetTimestamp()));
                }
            }
        }

        var committed = rd.CommittedEntries;
        if (leads && !committed.IsEmpty)
        {
            Commits.Add(committed.Length);
            if (host.Appended.Count > 0)
            {
                RecordCommitted(host.Appended, committed);
            }
        }

        if (!leads)
        {
            // A deposed leader's pending entries may be overwritten: their latency is not a commit's.
            host.Appended.Clear();
        }
    }

    /// <summary>A message leaves in a call: counts the snapshots and leadership transfers among them.</summary>
    public void OnSent(MessageType type)
    {
        if (type == MessageType.Snapshot)
        {
            SnapshotsSent.Add(1);
        }
        else if (type == MessageType.TimeoutNow)
        {
            LeaderTransfers.Add(1);
        }
    }

    /// <summary>A call to another silo with <paramref name="messages"/> Raft messages left.</summary>
    public void OnCall(int messages)
    {
        CallsSent.Add(1);
        MessagesSent.Add(messages);
        MessagesPerCall.Record(messages);
    }

    private static Histogram<double> Latency(Meter meter, string name, string description) =>
        meter.CreateHistogram(name, "ms", description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Milliseconds });

    private static Histogram<long> PerBatch(Meter meter, string name, string unit, string description) =>
        meter.CreateHistogram(name, unit, description, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = CountBuckets });

    private void RecordCommitted(Queue<AppendedBatch> appended, ReadOnlySpan<Entry> committed)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (ref readonly var e in committed)
        {
            while (appended.TryPeek(out var done) && done.Last < e.Index)
            {
                appended.Dequeue();
            }

            if (!appended.TryPeek(out var b))
            {
                return;
            }

            if (e.Index >= b.First && e.Term == b.Term)
            {
                CommitDuration.Record(Stopwatch.GetElapsedTime(b.Timestamp, now).TotalMilliseconds);
            }
        }
    }

    /// <summary>A timestamp to measure from, or 0 when nobody listens to <paramref name="histogram"/>.</summary>
    public static long Start<T>(Histogram<T> histogram)
        where T : struct => histogram.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records the milliseconds since <paramref name="started"/> (from <see cref="Start{T}"/>); nothing if it was 0.</summary>
    public static void RecordSince(Histogram<double> histogram, long started)
    {
        if (started != 0)
        {
            histogram.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
