using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
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
using MultiRaft.Transport;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// The silo's part in the cluster: bootstraps a new cluster or joins one, restarts recovered
/// replicas, and then keeps the silo in step with the router's map: peers' addresses, replicas
/// placed on this silo, membership changes led from here, heartbeats, and (on the router's
/// leader) the placement planner.
/// </summary>
internal sealed partial class SiloCluster(SiloOptions options, SiloEngine engine, SiloTransport transport,
    IGatewayConnector joinConnector, TimeProvider time, ILogger<SiloCluster> logger) : BackgroundService
{
    private readonly RouterReplicaStateMachine _meta = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly KvSessionOptions _sessionOptions = KvSessionOptions.Default;
    private readonly KvLimits _limits = new(options.MaxKeyBytes, options.MaxValueBytes);
    private readonly PeerAddressCache _peerAddresses = new(time);
    private long _lastHeartbeatMs;

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        engine.ResolveSilo = ResolveSilo;
        engine.Applied = g =>
        {
            if (g.ShardId == 0)
            {
                _meta.Publish();
            }
        };
        engine.Transport = transport;
        engine.Start();

        var recovered = engine.Store.Replicas;
        if (recovered.Count == 0 && options.Join.Length == 0)
        {
            await BootstrapAsync(stoppingToken).ConfigureAwait(false);
        }
        else if (recovered.Count == 0)
        {
            await JoinAsync(stoppingToken).ConfigureAwait(false);
        }
        else
        {
            ClusterLog.Restarting(logger, options.SiloId, recovered.Count);
            foreach (var id in recovered)
            {
                engine.AddReplica(id, StateMachineFor(id.Shard));
            }
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await MaintainAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ClusterLog.MaintenanceFailed(logger, ex);
            }
        }
    }

    private IReplicaStateMachine StateMachineFor(ulong shard) =>
        shard == 0 ? _meta : new KvReplicaStateMachine(_sessionOptions, _limits);

    private string? ResolveSilo(ulong shard, ulong replica)
    {
        var desc = View?.FindShard(shard);
        if (desc is null)
        {
            return null;
        }

        // Indexed: this runs for every outgoing Raft message, and a RepeatedField's enumerator is an allocated iterator.
        var replicas = desc.Replicas;
        for (var i = 0; i < replicas.Count; i++)
        {
            if (replicas[i].ReplicaId == replica)
            {
                return replicas[i].SiloId;
            }
        }

        return null;
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
            engine.AddReplica(id, StateMachineFor(id.Shard));
            // A group of one need not wait an election timeout to lead.
            engine.Post(id.Shard, g => g.Node.Campaign());
        }
    }

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        ClusterLog.Joining(logger, options.SiloId, options.Join);
        var target = options.Join;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            ClientResponse? answer = null;
            try
            {
                answer = await joinConnector.SendAsync(target, new ClientRequest { Join = new JoinRequest { Silo = Self }, TimeoutMs = 5000 },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (MultiRaftException ex)
            {
                ClusterLog.JoinRetry(logger, target, "unreachable", ex.Message);
            }

            if (answer is { Status: ResponseStatus.Ok, Cluster: { } view })
            {
                var meta = view.Shards.First(s => s.ShardId == 0).Replicas.First(r => r.SiloId == options.SiloId);
                await SetPeersAsync(view.Silos).ConfigureAwait(false);
                ClusterLog.Joined(logger, options.SiloId, meta.ReplicaId);
                engine.AddReplica(new ReplicaId(0, meta.ReplicaId), _meta);
                return;
            }

            if (answer is not null)
            {
                ClusterLog.JoinRetry(logger, target, answer.Status.ToString(), answer.Error);
                var leaderGateway = answer.Cluster?.Silos.FirstOrDefault(s => s.SiloId == answer.Leader?.SiloId)?.GatewayAddress;
                target = answer.Status == ResponseStatus.NotLeader && !string.IsNullOrEmpty(leaderGateway) ? leaderGateway : options.Join;
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }

    /// <summary>Registers a joining silo through the router's leader (the meta replica on this silo must lead).</summary>
    public async ValueTask<ClientResponse> HandleJoinAsync(JoinRequest join, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var silo = join.Silo;
        if (silo is null || !SiloOptionsValidator.IsValidSiloId(silo.SiloId)
            || !_peerAddresses.TryResolve(silo.SiloAddress, out _) || !silo.GatewayAddress.Contains(':', StringComparison.Ordinal))
        {
            return Responses.Status(ResponseStatus.BadRequest, "a join names a valid silo id, a reachable silo address (host:port) and a gateway address (host:port)");
        }

        var pending = new Pending();
        var payload = RouterCommands.Encode(RouterCommands.Register(silo, NowMs));
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
                else
                {
                    pending.Complete(Responses.Status(ResponseStatus.Unavailable, $"registration not applied: {outcome.Result}"));
                }
            });
            if (result != ProposalResult.Accepted)
            {
                pending.Complete(Responses.Status(ResponseStatus.Unavailable, $"registration dropped: {result}"));
            }
        });
        if (!posted)
        {
            return Responses.Status(ResponseStatus.Unavailable, "this silo has no router replica yet");
        }

        try
        {
            return await pending.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return Responses.Status(ResponseStatus.Unavailable, "registration not applied within the deadline");
        }
    }

    private async Task MaintainAsync()
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

        await SetPeersAsync(view.State.Silos).ConfigureAwait(false);
        foreach (var shard in view.State.Shards)
        {
            var mine = shard.Replicas.FirstOrDefault(r => r.SiloId == options.SiloId);
            var hosted = engine.Find(shard.ShardId);
            if (mine is not null && hosted is null)
            {
                ClusterLog.CreatingReplica(logger, shard.ShardId, mine.ReplicaId);
                engine.AddReplica(new ReplicaId(shard.ShardId, mine.ReplicaId), StateMachineFor(shard.ShardId));
            }
            else if (hosted is not null)
            {
                var desc = shard;
                engine.Post(shard.ShardId, g => ReconcileMembership(g, desc));
            }
        }

        var now = NowMs;
        if (now - _lastHeartbeatMs >= options.HeartbeatIntervalMs)
        {
            _lastHeartbeatMs = now;
            SendHeartbeat(now);
            PlanIfRouterLeader(view, now);
        }
    }

    private async ValueTask SetPeersAsync(IEnumerable<SiloInfo> silos)
    {
        foreach (var s in silos)
        {
            if (s.SiloId != options.SiloId && _peerAddresses.TryResolve(s.SiloAddress, out var ep))
            {
                await transport.SetPeerAsync(s.SiloId, ep).ConfigureAwait(false);
            }
        }
    }

    /// <summary>On a shard's leader: moves the Raft membership one step towards the router's replica list.</summary>
    private void ReconcileMembership(ReplicaGrain g, ShardDescriptor desc)
    {
        if (!g.IsLeader || g.ConfState.IsJoint)
        {
            return;
        }

        var cs = g.ConfState;
        foreach (var r in desc.Replicas)
        {
            if (!cs.Voters.Contains(r.ReplicaId) && !cs.Learners.Contains(r.ReplicaId))
            {
                // New members start as learners so the group keeps its quorum while they catch up.
                ProposeChange(g, ConfChange.Single(ConfChangeType.AddLearner, r.ReplicaId));
                return;
            }
        }

        var status = g.Node.GetStatus();
        foreach (var r in desc.Replicas)
        {
            if (r.Role == ReplicaRole.Voter && cs.Learners.Contains(r.ReplicaId))
            {
                var progress = status.Progress.FirstOrDefault(p => p.Id == r.ReplicaId);
                if (progress.Match + 100 >= g.Node.Committed && progress.Match > 0)
                {
                    ProposeChange(g, ConfChange.Single(ConfChangeType.AddVoter, r.ReplicaId));
                    return;
                }
            }
        }
    }

    private void ProposeChange(ReplicaGrain g, ConfChange cc)
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

    private void SendHeartbeat(long now)
    {
        var hints = new List<LeaderHint>();
        foreach (var g in engine.Replicas)
        {
            // Read off the worker: stale values are fine for a hint, and 64-bit reads do not tear.
            if (g.IsLeader)
            {
                var conf = g.ConfState;
                hints.Add(new LeaderHint
                {
                    ShardId = g.ShardId, ReplicaId = g.ReplicaId, SiloId = options.SiloId, Term = g.Node.Term,
                    CommitIndex = g.Node.Committed, AppliedIndex = g.StateMachine.LastAppliedIndex,
                    Voters = { conf.Voters }, Learners = { conf.Learners },
                });
            }
        }

        hints.Sort((a, b) => a.ShardId.CompareTo(b.ShardId));
        var payload = RouterCommands.Encode(RouterCommands.Heartbeat(options.SiloId, hints, now));
        // Followers forward the proposal to the router's leader; a lost heartbeat is replaced by the next.
        engine.Post(0, g => g.Node.Propose(payload));
    }

    private void PlanIfRouterLeader(RouterStateMachine view, long now)
    {
        var meta = engine.Find(0);
        if (meta is null || !meta.IsLeader)
        {
            return;
        }

        var commands = RouterPlanner.Plan(view.State, now, new RouterPlannerOptions(SiloDeadAfterMs: options.SiloDeadAfterMs));
        foreach (var c in commands)
        {
            var payload = RouterCommands.Encode(c);
            engine.Post(0, g => g.Node.Propose(payload));
        }
    }
}
