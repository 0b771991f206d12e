using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;
using MultiRaft.Grains.Router;
using MultiRaft.Raft;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Hosting;
using MultiRaft.Silo.Requests;
using MultiRaft.Storage;
using MultiRaft.Silo.Messaging;
using MultiRaft.Silo.Placement;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// The silo's part in the cluster: bootstraps a new cluster or joins one, restarts recovered
/// replicas, and then keeps the silo in step with the router's map: replicas placed on this
/// silo (each activated as its replica grain), membership changes led from here, heartbeats,
/// and (on the router's leader) the placement planner. Started by the silo's lifecycle once
/// Orleans is active (<see cref="Hosting.MultiRaftLifecycle"/>).
/// </summary>
internal sealed partial class SiloCluster(SiloOptions options, SiloEngine engine, IGrainFactory grains, SiloDirectory directory,
    TimeProvider time, ILogger<SiloCluster> logger)
{
    private readonly RouterReplicaStateMachine _meta = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly KvSessionOptions _sessionOptions = KvSessionOptions.Default;
    private readonly KvLimits _limits = new(options.MaxKeyBytes, options.MaxValueBytes);
    private readonly CancellationTokenSource _stopping = new();
    // Shards whose local replica is being removed: one removal each at a time.
    private readonly ConcurrentDictionary<ulong, byte> _removing = new();

    // Replicas deleted here since the silo started: the map may name one again for a while (a
    // stale view), and it must not come back empty under an id its leader remembers.
    private readonly ConcurrentDictionary<ReplicaId, byte> _deletedHere = new();
    private Task? _loop;
    // The recovered replicas' start, begun while Orleans joins (BeginRecovery); null if not begun.
    private Task? _recovery;
    // When this silo's meta replica was first seen leading (0: not leading): the planner counts
    // a silo away only after a down time of silence watched from here.
    private long _routerLeaderSinceMs;
    private ulong _plannedAtIndex;
    // The router leader's last planning (PlanSchedule): null when there was none since it leads.
    private PlanInputs? _lastPlan;
    private bool _lastPlanProposedNothing;
    private long _lastPlanMs;
    // The router index of this silo's registration when it joined with empty storage (0: it did not).
    private ulong _joinedAtIndex;
    private int _removedRaised;
    private int _registering;

    /// <summary>The router's map as this silo last applied it; null before it arrives.</summary>
    public RouterStateMachine? View => _meta.Published;

    /// <summary>Completes once this silo has the router's map.</summary>
    public Task Ready => _ready.Task;

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    private SiloInfo Self => new()
    {
        SiloId = options.SiloId,
        SiloAddress = options.SiloAddress,
        GatewayAddress = options.GatewayAddress,
        HttpAddress = options.HttpAddress,
    };

    /// <summary>Starts the engine and the cluster work; returns once the silo's replicas are started or it has joined.</summary>
    public async Task StartAsync(IRaftSender sender, CancellationToken cancellationToken)
    {
        HookEngine();
        engine.Sender = sender;
        engine.Metrics.ObserveMoves(MovesInProgress);
        engine.Start();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        if (_recovery is not null)
        {
            await _recovery.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        else
        {
            await StartReplicasAsync(linked.Token).ConfigureAwait(false);
        }

        _loop = Task.Run(() => MaintainLoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>
    /// Starts the replicas recovered from storage while Orleans is still joining the cluster, so
    /// that restoring their snapshots and applying their committed entries (seconds at 10,000
    /// replicas) overlaps the join instead of following it. Until <see cref="StartAsync"/> nothing
    /// ticks, so no replica campaigns, and what one would send counts as unsent (Raft recovers
    /// from lost messages). A silo with empty storage joins or bootstraps in StartAsync instead.
    /// </summary>
    public void BeginRecovery()
    {
        if (_recovery is null && engine.Store.Count > 0)
        {
            HookEngine();
            engine.StartWorkers();
            _recovery = Task.Run(RestartReplicas);
        }
    }

    private void HookEngine()
    {
        engine.ResolveSilo = ResolveSilo;
        engine.Applied = g =>
        {
            if (g.ShardId == 0)
            {
                _meta.Publish();
            }
        };
    }

    /// <summary>Stops the cluster work (the engine stops with the host).</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    private async Task StartReplicasAsync(CancellationToken stoppingToken)
    {
        // A silo told to bootstrap still joins if another active silo belongs to a cluster: its
        // storage may be empty because it was wiped, and a second cluster must never be started.
        // Silos started at the same time as it (active first, perhaps) belong to none: it bootstraps.
        if (engine.Store.Count == 0)
        {
            if (!await JoinAsync(options.BootstrapsWhenEmpty, stoppingToken).ConfigureAwait(false))
            {
                await BootstrapAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        else
        {
            RestartReplicas();
        }
    }

    private void RestartReplicas()
    {
        var recovered = engine.Store.Replicas;
        ClusterLog.Restarting(logger, options.SiloId, recovered.Count);
        _metaCommitAtStart = recovered.Where(id => id.Shard == 0).Select(id => engine.Store.Find(id)?.InitialState().HardState.Commit ?? 0)
            .DefaultIfEmpty(0UL).Max();
        var started = time.GetTimestamp();
        foreach (var id in recovered)
        {
            AddReplica(id);
        }

        ClusterLog.Restarted(logger, options.SiloId, recovered.Count, (long)time.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task MaintainLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    MaintainOnce();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ClusterLog.MaintenanceFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Starts the member in the engine. Its grain is activated by the first call that names it, not
    // here: at thousands of replicas per silo, activating them all at start put thousands of
    // placements through Orleans at once (a restarted silo took seconds longer to serve) and kept an
    // activation in memory for every replica nobody asked anything of.
    private void AddReplica(ReplicaId id) => engine.AddReplica(id, StateMachineFor(id));

    private IReplicaStateMachine StateMachineFor(ReplicaId id) =>
        id.Shard == 0 ? _meta : NewKvStateMachine(id);

    private string? ResolveSilo(ulong shard, ulong replica)
    {
        var desc = View?.FindShard(shard);
        return desc is null ? null : ShardReplicas.Find(desc, replica)?.SiloId;
    }

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        ClusterLog.Bootstrapping(logger, options.ClusterId, options.SiloId, options.InitialShards);
        var state = RouterStateMachine.Bootstrap(options.ClusterId, Self, options.InitialShards, NowMs);
        var routerSnapshot = RouterStateMachine.EncodeSnapshot(state, Bootstrap.Index);
        var metaId = state.Shards[0].Replicas[0].ReplicaId;
        await engine.Store.InstallSnapshotAsync(new ReplicaId(0, metaId),
            new Snapshot(Bootstrap.Index, Bootstrap.Term, new ConfState([metaId]), routerSnapshot), cancellationToken).ConfigureAwait(false);
        foreach (var shard in state.Shards.Skip(1))
        {
            var rid = shard.Replicas[0].ReplicaId;
            await engine.Store.InstallSnapshotAsync(new ReplicaId(shard.ShardId, rid), Bootstrap.InitialSnapshot(new ConfState([rid])),
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var id in engine.Store.Replicas)
        {
            AddReplica(id);
            // A group of one need not wait an election timeout to lead.
            engine.Post(id.Shard, g => g.Node.Campaign());
        }
    }

    // Asks the active silos (Orleans' membership) to register this one, following the router
    // leader's hint, until one registers it; then starts this silo's replica of the meta shard.
    // With mayBootstrap, returns false instead (nothing joined) once every other active silo has
    // said it belongs to no cluster, or when there is no other.
    private async Task<bool> JoinAsync(bool mayBootstrap, CancellationToken cancellationToken)
    {
        ClusterLog.Joining(logger, options.SiloId, options.Join);
        var delay = TimeSpan.FromMilliseconds(100);
        string? next = null;
        var attempt = 0;
        var clusterSeen = false;
        var withoutCluster = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (mayBootstrap && !clusterSeen && directory.ActiveNames.Where(n => n != options.SiloId).All(withoutCluster.Contains))
            {
                return false;
            }

            var target = next ?? PickJoinTarget(attempt++);
            next = null;
            if (target is not null)
            {
                ClientResponse? answer = null;
                try
                {
                    answer = await grains.GetGrain<ISiloGrain>(target).Register(Self, 5000, emptyStorage: true).WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    ClusterLog.JoinRetry(logger, target, "unreachable", ex.Message);
                }

                if (answer is { Status: ResponseStatus.Ok, Cluster: { } view })
                {
                    var meta = view.Shards.First(s => s.ShardId == 0).Replicas.First(r => r.SiloId == options.SiloId);
                    ClusterLog.Joined(logger, options.SiloId, meta.ReplicaId);
                    // The new meta replica replays the router's history: states before this
                    // registration may list replicas here that a wiped disk lost. None is started from them.
                    Volatile.Write(ref _joinedAtIndex, view.RouterAppliedIndex);
                    engine.AddReplica(new ReplicaId(0, meta.ReplicaId), _meta);
                    return true;
                }

                if (answer is not null)
                {
                    // SHARD_NOT_FOUND: the silo holds no replica at all (it is starting or joining too).
                    if (answer.Status == ResponseStatus.ShardNotFound)
                    {
                        withoutCluster.Add(target);
                    }
                    else
                    {
                        clusterSeen = true;
                    }

                    ClusterLog.JoinRetry(logger, target, answer.Status.ToString(), answer.Error);
                    if (answer.Status == ResponseStatus.NotLeader && answer.Leader is { SiloId.Length: > 0 } hint && hint.SiloId != target)
                    {
                        next = hint.SiloId;
                        continue;
                    }
                }
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }

    // The active silos other than this one, in turn.
    private string? PickJoinTarget(int attempt)
    {
        var others = directory.ActiveNames.Where(n => n != options.SiloId).Order(StringComparer.Ordinal).ToList();
        return others.Count == 0 ? null : others[attempt % others.Count];
    }

    /// <summary>Registers a joining silo through the router's leader (the meta replica on this silo must lead).</summary>
    public async ValueTask<ClientResponse> HandleJoinAsync(SiloInfo silo, bool emptyStorage, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (silo is null || !SiloOptionsValidator.IsValidSiloId(silo.SiloId)
            || !HostPort.TryParse(silo.SiloAddress, out _, out _) || !HostPort.TryParse(silo.GatewayAddress, out _, out _))
        {
            return Responses.Status(ResponseStatus.BadRequest, "a join names a valid silo id, its silo address (host:port) and its gateway address (host:port)");
        }

        return await ProposeToRouterAsync(RouterCommands.Register(silo, NowMs, emptyStorage), "registration", timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Drains a silo, removes a drained one, or makes a draining one active again, through the
    /// router's leader (the meta replica on this silo must lead).
    /// </summary>
    public async ValueTask<ClientResponse> HandleScaleInAsync(string siloId, bool remove, bool undrain, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        if (!SiloOptionsValidator.IsValidSiloId(siloId))
        {
            return Responses.Status(ResponseStatus.BadRequest, $"'{siloId}' is not a silo id");
        }

        if (View?.FindSilo(siloId) is null)
        {
            return Responses.Status(ResponseStatus.UnknownSilo, $"no silo '{siloId}' in the cluster");
        }

        var (command, what) = remove ? (RouterCommands.RemoveSilo(siloId, NowMs), "remove")
            : undrain ? (RouterCommands.Undrain(siloId, NowMs), "undrain")
            : (RouterCommands.Drain(siloId, NowMs), "drain");
        return await ProposeToRouterAsync(command, what, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Proposes a router command without waiting: this silo's meta replica forwards it to the
    /// router's leader. Lost if there is no leader now; callers that need it look for its effect
    /// in <see cref="View"/> and send it again.
    /// </summary>
    public bool ForwardToRouter(RouterCommand command)
    {
        var payload = RouterCommands.Encode(command);
        return engine.Post(0, g => g.Node.Propose(payload));
    }

    /// <summary>Raised once when the router lists this silo as removed: the host stops the silo.</summary>
    public event Action? Removed;

    // Proposes a router command on this silo's meta replica if it leads (else NOT_LEADER with the
    // leader) and answers once it applied: OK with the cluster view, or the router's refusal.
    private async ValueTask<ClientResponse> ProposeToRouterAsync(RouterCommand command, string what, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var pending = new Pending();
        var payload = RouterCommands.Encode(command);
        var posted = engine.Post(0, g =>
        {
            if (!g.IsLeader)
            {
                var r = Responses.Status(ResponseStatus.NotLeader, "the router's leader is elsewhere");
                r.Leader = new LeaderHint { ShardId = 0, ReplicaId = g.Node.Lead, SiloId = engine.SiloOf(0, g.Node.Lead) ?? "" };
                r.Cluster = _meta.Router.ToView(options.SiloId);
                pending.Complete(r);
                return;
            }

            var result = g.Propose(payload, outcome =>
            {
                if (outcome is { Applied: true, Result: RouterResult { Outcome: RouterOutcome.Applied } })
                {
                    pending.Complete(new ClientResponse { Status = ResponseStatus.Ok, Cluster = _meta.Router.ToView(options.SiloId) });
                }
                else if (outcome is { Applied: true, Result: RouterResult { Outcome: RouterOutcome.Refused } refused })
                {
                    pending.Complete(Responses.Status(ResponseStatus.PreconditionFailed, $"{what} refused: {refused.Reason}"));
                }
                else
                {
                    pending.Complete(Responses.Status(ResponseStatus.Unavailable, $"{what} not applied: {outcome.Result}"));
                }
            });
            if (result != ProposalResult.Accepted)
            {
                pending.Complete(Responses.Status(ResponseStatus.Unavailable, $"{what} dropped: {result}"));
            }
        });
        if (!posted)
        {
            // A silo holding no replica at all belongs to no cluster (yet): a silo told to
            // bootstrap may start one. One that holds replicas is a member that is starting.
            return engine.Store.Replicas.Count == 0
                ? Responses.Status(ResponseStatus.ShardNotFound, "this silo belongs to no cluster yet")
                : Responses.Status(ResponseStatus.Unavailable, "this silo has no router replica yet");
        }

        try
        {
            return await pending.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return Responses.Status(ResponseStatus.Unavailable, $"{what} not applied within the deadline");
        }
    }

    private void MaintainOnce()
    {
        var view = View;
        if (view is null)
        {
            return;
        }

        if (!_ready.Task.IsCompleted)
        {
            ClusterLog.Ready(logger, options.SiloId, view.DataShards.Count);
            _ready.TrySetResult();
        }

        var status = view.FindSilo(options.SiloId)?.Status;
        if (status == SiloStatus.Removed)
        {
            if (Interlocked.Exchange(ref _removedRaised, 1) == 0)
            {
                ClusterLog.SiloRemoved(logger, options.SiloId);
                Removed?.Invoke();
            }

            return;
        }

        StartWaitingSplitChildren(view);
        MaintainReplicas(view, status == SiloStatus.Draining);

        var now = NowMs;
        var due = now - _lastHeartbeatMs >= options.HeartbeatIntervalMs;
        ReportToRouter(view, now, due);

        // The router's leader plans on every heartbeat interval, and sooner whenever the state
        // changed (not merely a silo's liveness: heartbeats apply several times a second).
        if (due || view.ChangedAtIndex != _plannedAtIndex)
        {
            _plannedAtIndex = view.ChangedAtIndex;
            PlanIfRouterLeader(view, now);
        }

        if (due)
        {
            RefreshRegistrationIfStale(view);
        }
    }

    // Read on the metrics exporter's thread from the published (immutable) copy of the map.
    private int MovesInProgress() =>
        View is { } view ? view.DataShards.Count(s => !ShardMotion.Of(s, view.FindLeader(s.ShardId)).Settled) : 0;

    // A silo restarted from its WAL does not join again, but its addresses may have changed (new
    // ports, a new container address): it registers again through the router's leader, which
    // refreshes them. One attempt at a time; the next report interval tries again if it failed.
    private void RefreshRegistrationIfStale(RouterStateMachine view)
    {
        var self = Self;
        if (view.FindSilo(options.SiloId) is not { } known
            || (known.SiloAddress == self.SiloAddress && known.GatewayAddress == self.GatewayAddress && known.HttpAddress == self.HttpAddress)
            || view.FindLeader(0) is not { SiloId.Length: > 0 } leader
            || Interlocked.Exchange(ref _registering, 1) == 1)
        {
            return;
        }

        _ = RegisterAgainAsync(leader.SiloId, self);
    }

    private async Task RegisterAgainAsync(string leaderSilo, SiloInfo self)
    {
        try
        {
            var answer = await grains.GetGrain<ISiloGrain>(leaderSilo).Register(self, 5000, emptyStorage: false).ConfigureAwait(false);
            ClusterLog.AddressesRefreshed(logger, options.SiloId, leaderSilo, answer.Status.ToString());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            ClusterLog.AddressesRefreshed(logger, options.SiloId, leaderSilo, ex.GetType().Name);
        }
        finally
        {
            Volatile.Write(ref _registering, 0);
        }
    }

    // A replica the router no longer lists goes once the shard's leader reports a configuration
    // without it: before that it may still count towards the group's quorum. Deleting it is safe
    // at any time (replica ids are never reused and nothing starts it again); waiting only keeps
    // the group's fault tolerance while the change is carried out.
    private static bool LeftGroup(RouterStateMachine view, ulong shardId, ulong replicaId) =>
        view.FindLeader(shardId) is { Voters.Count: > 0 } hint && hint.ReplicaId != replicaId
        && !hint.Voters.Contains(replicaId) && !hint.Learners.Contains(replicaId);

    private void RemoveReplica(ReplicaMember replica)
    {
        if (!_removing.TryAdd(replica.ShardId, 0))
        {
            return;
        }

        ClusterLog.RemovingReplica(logger, replica.ShardId, replica.ReplicaId);
        _deletedHere.TryAdd(new ReplicaId(replica.ShardId, replica.ReplicaId), 0);
        _ = RemoveReplicaAsync(replica.ShardId);
    }

    private async Task RemoveReplicaAsync(ulong shardId)
    {
        try
        {
            await engine.RemoveReplicaAsync(shardId, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            ClusterLog.MaintenanceFailed(logger, ex);
        }
        finally
        {
            _removing.TryRemove(shardId, out _);
        }
    }

    /// <summary>On a shard's leader: moves the Raft membership one step towards the router's replica list.</summary>
    private void ReconcileMembership(ReplicaMember g, ShardDescriptor desc, HashSet<ulong>? handOffTo, ulong prefer)
    {
        if (!g.IsLeader)
        {
            return;
        }

        var status = g.Node.GetStatus();
        var progress = status.Progress;
        Func<ulong, ulong> matchOf = id => progress.FirstOrDefault(p => p.Id == id).Match;
        var step = MembershipReconciler.Next(g.ReplicaId, g.ConfState, desc.Replicas, matchOf, g.Node.Committed);
        if (step.Change is { } change)
        {
            ProposeChange(g, change);
        }
        else if (step.TransferTo != 0)
        {
            TransferLeader(g, status, step.TransferTo, handBack: false);
        }
        else if (handOffTo is not null
                 && MembershipReconciler.HandOffTarget(g.ReplicaId, g.ConfState, handOffTo.Contains, matchOf, g.Node.Committed) is var to and not 0)
        {
            TransferLeader(g, status, to, handBack: false);
        }
        else if (MembershipReconciler.HandBackTo(g.ReplicaId, g.ConfState, prefer, matchOf, g.Node.Committed,
                     id => engine.OnSuspectedSilo(g.ShardId, id)))
        {
            TransferLeader(g, status, prefer, handBack: true);
        }
    }

    // Asked again on every pass until it is done, and a transfer already under way to the same
    // replica is not restarted by asking again: logged when it starts. Logged on every ask, a
    // fresh 10,000-shard cluster wrote 200,000 lines on s1 as it handed 6,666 leaderships to their
    // preferred replicas, and a restarted silo's peers 18,000 as they handed back its 3,333.
    private void TransferLeader(ReplicaMember g, Status status, ulong to, bool handBack)
    {
        if (status.LeadTransferee != to)
        {
            if (handBack)
            {
                ClusterLog.HandingBackLeadership(logger, g.ShardId, to);
            }
            else
            {
                ClusterLog.HandingOverLeadership(logger, g.ShardId, to);
            }
        }

        g.Node.TransferLeader(to);
    }

    private void ProposeChange(ReplicaMember g, ConfChange cc)
    {
        try
        {
            var result = g.Node.ProposeConfChange(cc);
            if (result == ProposalResult.Accepted)
            {
                ClusterLog.ProposingConfChange(logger, g.ShardId, cc.ToString());
            }
        }
        catch (InvalidConfChangeException ex)
        {
            ClusterLog.MaintenanceFailed(logger, ex);
        }
    }

    private void PlanIfRouterLeader(RouterStateMachine view, long now)
    {
        var meta = engine.Find(0);
        if (meta is null || !meta.IsLeader)
        {
            _routerLeaderSinceMs = 0;
            _lastPlan = null;
            return;
        }

        if (_routerLeaderSinceMs == 0)
        {
            _routerLeaderSinceMs = now;
        }

        var deadNames = directory.DeadNames;
        var inputs = PlanInputs.Of(view.State, view.ChangedAtIndex, deadNames, now, _routerLeaderSinceMs, options.DownTimeMs);
        if (!PlanSchedule.Due(_lastPlan, _lastPlanProposedNothing, _lastPlanMs, inputs, now))
        {
            return;
        }

        var commands = RouterPlanner.Plan(view.State, now, new RouterPlannerOptions(DownTimeMs: options.DownTimeMs, MaxMovesPerSilo: options.MaxMovesPerSilo, BalanceLeaders: options.BalanceLeaders,
                SplitKeys: options.SplitKeys, SplitBytes: options.SplitBytes), deadNames,
            _routerLeaderSinceMs);
        (_lastPlan, _lastPlanProposedNothing, _lastPlanMs) = (inputs, commands.Count == 0, now);
        foreach (var c in commands)
        {
            ForwardToRouter(c);
        }
    }
}
