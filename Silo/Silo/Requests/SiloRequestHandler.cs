using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Kv;
using MultiRaft.Grains.Replica;
using MultiRaft.Grains.Router;
using MultiRaft.Grains.Runtime;
using MultiRaft.Raft;
using MultiRaft.Silo.Cluster;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Hosting;

namespace MultiRaft.Silo.Requests;

/// <summary>
/// Runs replica grains' operations on this silo's members: finds the local member of the
/// shard, checks the route (range epoch and key hash), and runs the operation on the member's
/// engine turn. A member that does not lead answers with a hint.
/// </summary>
internal sealed partial class SiloRequestHandler(SiloEngine engine, SiloCluster cluster, SiloOptions options, TimeProvider time)
    : IReplicaOperations
{
    private readonly KvLimits _limits = new(options.MaxKeyBytes, options.MaxValueBytes);

    public string SiloId => options.SiloId;

    public bool Hosts(ulong shardId, ulong replicaId) => engine.Find(shardId) is { } member && member.ReplicaId == replicaId;

    public ValueTask<ClientResponse> GetAsync(ulong shardId, GetRequest request, uint timeoutMs) =>
        OnShardAsync(request.Route, request.Key, (g, p) => GetOp(g, request, p), false,
            Effective(request.Consistency) == ReadConsistency.Stale, Timeout(timeoutMs), CancellationToken.None);

    public ValueTask<ClientResponse> ScanAsync(ulong shardId, ScanRequest request, uint timeoutMs) =>
        OnShardAsync(request.Route, null, (g, p) => ScanOp(g, request, p), false,
            Effective(request.Consistency) == ReadConsistency.Stale, Timeout(timeoutMs), CancellationToken.None);

    public ValueTask<ClientResponse> WriteAsync(ulong shardId, WriteRequest request, uint timeoutMs) =>
        WriteAsync(request, Timeout(timeoutMs), CancellationToken.None);

    public async ValueTask<ClientResponse> OpenSessionAsync(ulong shardId, OpenSessionRequest request, uint timeoutMs)
    {
        var payload = CommandCodec.Encode(KvCommand.OpenSession(time.GetUtcNow().ToUnixTimeMilliseconds()));
        var response = await OnShardAsync(request.Route, null, (g, p) => ProposeOp(g, payload, p), true, false, Timeout(timeoutMs),
            CancellationToken.None).ConfigureAwait(false);
        if (response.Status == ResponseStatus.Ok)
        {
            response.SessionId = response.Version; // a session's id is the index that opened it
        }

        return response;
    }

    public ValueTask<ClientResponse> TransferLeaderAsync(ulong shardId, TransferLeaderRequest request, uint timeoutMs) =>
        TransferLeaderAsync(request, Timeout(timeoutMs), CancellationToken.None);

    public ValueTask<ClientResponse> DigestAsync(ulong shardId) =>
        DigestAsync(shardId, Timeout(0), CancellationToken.None);

    public ValueTask<ClientResponse> ScaleInAsync(ulong shardId, ScaleInRequest request, uint timeoutMs) =>
        shardId == 0
            ? cluster.HandleScaleInAsync(request.SiloId, request.Remove, request.Undrain, Timeout(timeoutMs), CancellationToken.None)
            : ValueTask.FromResult(Responses.Status(ResponseStatus.BadRequest, "draining and removing silos are served by the meta shard (0)"));

    public ValueTask<ClientResponse> SplitShardAsync(ulong shardId, SplitShardRequest request, uint timeoutMs) =>
        shardId == 0
            ? cluster.HandleSplitAsync(request.ShardId, request.SplitHash, Timeout(timeoutMs), CancellationToken.None)
            : ValueTask.FromResult(Responses.Status(ResponseStatus.BadRequest, "splits are served by the meta shard (0)"));

    private TimeSpan Timeout(uint timeoutMs) => TimeSpan.FromMilliseconds(timeoutMs > 0 ? Math.Min(timeoutMs, 600_000) : options.RequestTimeoutMs);

    private ValueTask<ClientResponse> WriteAsync(WriteRequest w, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (w.Key.IsEmpty)
        {
            return ValueTask.FromResult(Responses.Status(ResponseStatus.BadRequest, "the key is empty"));
        }

        if (w.Key.Length > _limits.MaxKeyBytes || w.Value.Length > _limits.MaxValueBytes)
        {
            return ValueTask.FromResult(Responses.Status(ResponseStatus.TooLarge,
                $"key of {w.Key.Length} B / value of {w.Value.Length} B over the maximum ({_limits.MaxKeyBytes} B / {_limits.MaxValueBytes} B)"));
        }

        KvCommand command;
        try
        {
            command = ToCommand(w).WithTimestamp(time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        catch (ArgumentException ex)
        {
            return ValueTask.FromResult(Responses.Status(ResponseStatus.BadRequest, ex.Message));
        }

        var payload = CommandCodec.Encode(command);
        return OnShardAsync(w.Route, w.Key, (g, p) => ProposeOp(g, payload, p), true, false, timeout, cancellationToken);
    }

    private KvCommand ToCommand(WriteRequest w) =>
        WriteCommands.Of(w.Kind, w.Condition, w.ExpectedVersion, w.SessionId, w.Sequence, w.Key.Span, w.Value.Span, _limits);

    /// <summary>
    /// Runs <paramref name="op"/> on the turn of this silo's replica of the routed shard and
    /// waits for its answer within the deadline. A write that was proposed and is not answered
    /// in time is of unknown outcome; anything else unanswered is unavailable (not applied).
    /// </summary>
    private async ValueTask<ClientResponse> OnShardAsync(ShardRoute? route, ByteString? key, Action<ReplicaMember, Pending> op,
        bool isWrite, bool allowFollower, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (route is null || route.ShardId == 0)
        {
            return Responses.Status(ResponseStatus.BadRequest, "the request names no data shard");
        }

        var shardId = route.ShardId;
        var refusal = CheckRoute(route, key);
        if (refusal is not null)
        {
            return refusal;
        }

        var pending = new Pending();
        var posted = engine.Post(shardId, g =>
        {
            if (!g.IsLeader && !allowFollower)
            {
                pending.Complete(NotLeader(g));
                return;
            }

            op(g, pending);
        });
        if (!posted)
        {
            return ShardNotHere(shardId);
        }

        try
        {
            return await pending.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return isWrite && pending.Proposed
                ? Responses.Status(ResponseStatus.OutcomeUnknown, "the write was proposed but not applied within the deadline")
                : Responses.Status(ResponseStatus.Unavailable, "no answer within the deadline (no quorum?)");
        }
    }

    private ClientResponse? CheckRoute(ShardRoute route, ByteString? key)
    {
        var view = cluster.View;
        var desc = view?.FindShard(route.ShardId);
        if (desc is null)
        {
            return view is null ? null : ShardNotHere(route.ShardId);
        }

        if (route.Epoch is not null && route.Epoch.RangeVer != desc.Epoch.RangeVer)
        {
            return new ClientResponse { Status = ResponseStatus.StaleEpoch, Error = "the shard's range changed", Shard = desc };
        }

        if (key is not null)
        {
            var h = KeyHash.Of(key.Span);
            if (h < desc.HashStart || h >= desc.HashEnd)
            {
                return new ClientResponse { Status = ResponseStatus.StaleEpoch, Error = $"the key is not in shard {desc.ShardId}", Shard = desc };
            }
        }

        return null;
    }

    private ClientResponse ShardNotHere(ulong shardId)
    {
        var view = cluster.View;
        var r = Responses.Status(ResponseStatus.ShardNotFound, $"silo {options.SiloId} hosts no replica of shard {shardId}");
        if (view?.FindShard(shardId) is { } desc)
        {
            r.Shard = desc;
            if (view.FindLeader(shardId) is { } hint)
            {
                r.Leader = hint;
            }
        }

        return r;
    }

    private ClientResponse NotLeader(ReplicaMember g)
    {
        var lead = g.Node.Lead;
        if (lead == 0)
        {
            return Responses.Status(ResponseStatus.Unavailable, $"shard {g.ShardId} has no leader right now");
        }

        var r = Responses.Status(ResponseStatus.NotLeader, $"replica {g.ReplicaId} does not lead shard {g.ShardId}");
        r.Leader = new LeaderHint { ShardId = g.ShardId, ReplicaId = lead, SiloId = engine.SiloOf(g.ShardId, lead) ?? "", Term = g.Node.Term };
        return r;
    }

    private static void ProposeOp(ReplicaMember g, byte[] payload, Pending p)
    {
        var result = g.Propose(payload, outcome =>
        {
            if (!outcome.Applied)
            {
                p.Complete(Responses.Status(ResponseStatus.NotLeader, "leadership changed before the write committed; it was not applied"));
            }
            else
            {
                p.Complete(Responses.FromKv((KvResult)outcome.Result!));
            }
        });
        if (result == ProposalResult.Accepted)
        {
            p.Proposed = true;
        }
        else
        {
            p.Complete(Responses.Status(ResponseStatus.Unavailable, $"proposal dropped: {result}"));
        }
    }

    /// <summary>The consistency a read gets: the planted test bug turns every read into a local one.</summary>
    private ReadConsistency Effective(ReadConsistency requested) => options.UnsafeLocalReads ? ReadConsistency.Stale : requested;

    private void GetOp(ReplicaMember g, GetRequest get, Pending p)
    {
        var kv = ((KvReplicaStateMachine)g.StateMachine).Kv;
        var key = get.Key;
        ReadOp(g, Effective(get.Consistency), p, () =>
        {
            if (SplitAway(kv, get.Route, key) is { } moved)
            {
                return moved;
            }

            var item = kv.Get(key.Span);
            return item is null
                ? new ClientResponse { Status = ResponseStatus.NotFound }
                : new ClientResponse { Status = ResponseStatus.Ok, Value = ByteString.CopyFrom(item.Value.Span), Version = item.Version };
        });
    }

    private void ScanOp(ReplicaMember g, ScanRequest scan, Pending p)
    {
        var kv = ((KvReplicaStateMachine)g.StateMachine).Kv;
        var limit = (int)Math.Clamp(scan.Limit, 1, 10_000);
        ReadOp(g, Effective(scan.Consistency), p, () =>
        {
            if (SplitAway(kv, scan.Route, null) is { } moved)
            {
                return moved;
            }

            var items = kv.Scan(scan.Prefix.Span, limit + 1, scan.StartAfter.Span);
            var r = new ClientResponse { Status = ResponseStatus.Ok, More = items.Count > limit };
            foreach (var it in items.Take(limit))
            {
                r.Items.Add(new KvPair { Key = ByteString.CopyFrom(it.Key.Span), Value = ByteString.CopyFrom(it.Value.Span), Version = it.Version });
            }

            return r;
        });
    }

    /// <summary>
    /// The state machine's own fence, checked when a read is served: a split applied here (perhaps
    /// before this silo's map shows it) moved the key away, or the request was routed with a range
    /// version older than the last split this replica applied. Stale routing gets a retryable
    /// answer, never data that is no longer this shard's (TESTING.md 18).
    /// </summary>
    private ClientResponse? SplitAway(KvStateMachine kv, ShardRoute? route, ByteString? key)
    {
        var stale = (key is not null && !kv.Owns(key.Span)) || (route?.Epoch is { } epoch && epoch.RangeVer < kv.RangeVersion);
        if (!stale)
        {
            return null;
        }

        var r = Responses.Status(ResponseStatus.StaleEpoch, "the shard's range changed (split); refresh the routing and retry");
        if (route is not null && cluster.View?.FindShard(route.ShardId) is { } desc)
        {
            r.Shard = desc.Clone();
        }

        return r;
    }

    private static void ReadOp(ReplicaMember g, ReadConsistency consistency, Pending p, Func<ClientResponse> serve)
    {
        if (consistency == ReadConsistency.Stale)
        {
            p.Complete(serve());
            return;
        }

        var result = g.ReadIndex(ok => p.Complete(ok
            ? serve()
            : Responses.Status(ResponseStatus.NotLeader, "leadership changed before the read was confirmed")));
        if (result != ProposalResult.Accepted)
        {
            p.Complete(Responses.Status(ResponseStatus.Unavailable, $"read dropped: {result}"));
        }
    }

    private async ValueTask<ClientResponse> DigestAsync(ulong shardId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = new Pending();
        if (!engine.Post(shardId, g =>
            {
                // The membership as this replica's Raft configuration has it (not the router's wish).
                var members = new ShardDescriptor { ShardId = shardId };
                foreach (var v in g.ConfState.Voters)
                {
                    members.Replicas.Add(new ReplicaDescriptor { ReplicaId = v, Role = ReplicaRole.Voter, SiloId = engine.SiloOf(shardId, v) ?? "" });
                }

                foreach (var l in g.ConfState.Learners)
                {
                    members.Replicas.Add(new ReplicaDescriptor { ReplicaId = l, Role = ReplicaRole.Learner, SiloId = engine.SiloOf(shardId, l) ?? "" });
                }

                pending.Complete(new ClientResponse
                {
                    Status = ResponseStatus.Ok,
                    Value = ByteString.CopyFrom(g.StateMachine.Digest()),
                    Version = g.StateMachine.LastAppliedIndex,
                    Shard = members,
                });
            }))
        {
            return ShardNotHere(shardId);
        }

        return await pending.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
    }

    // How long a transfer waits for the router to record its preference before sending it again.
    private static readonly TimeSpan PreferenceResendInterval = TimeSpan.FromMilliseconds(500);

    private async ValueTask<ClientResponse> TransferLeaderAsync(TransferLeaderRequest t, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var view = cluster.View;
        var desc = view?.FindShard(t.ShardId);
        if (desc is null || t.ShardId == 0)
        {
            return Responses.Status(ResponseStatus.ShardNotFound, $"no data shard {t.ShardId}");
        }

        var target = desc.Replicas.FirstOrDefault(r => r.SiloId == t.ToSiloId);
        if (target is null)
        {
            return Responses.Status(ResponseStatus.UnknownSilo, $"silo '{t.ToSiloId}' hosts no replica of shard {t.ShardId}");
        }

        var deadline = time.GetUtcNow() + timeout;
        var preferenceSentAt = DateTimeOffset.MinValue;
        while (true)
        {
            // The router first records the target as the shard's pinned preferred leader: the
            // leader balancer then leaves the shard alone, and the new leader does not hand its
            // leadership back to an older preference.
            var preferred = cluster.View?.FindShard(t.ShardId) is { LeaderPinned: true } now && now.PreferredLeader == target.ReplicaId;
            var step = new Pending();
            var posted = engine.Post(t.ShardId, g =>
            {
                if (g.Node.Lead == target.ReplicaId && preferred)
                {
                    step.Complete(Responses.Ok());
                }
                else if (!g.IsLeader)
                {
                    step.Complete(NotLeader(g));
                }
                else if (LeaderTransferRule.Refusal(t.ShardId, target.ReplicaId, target.SiloId, g.ConfState,
                             g.Node.GetStatus().Progress.FirstOrDefault(p => p.Id == target.ReplicaId).Match, g.Node.Committed) is { } refusal)
                {
                    step.Complete(Responses.Status(ResponseStatus.PreconditionFailed, refusal));
                }
                else if (!preferred)
                {
                    step.Complete(Responses.Status(ResponseStatus.Unavailable, "transfer: the router has not recorded the preference yet"));
                }
                else
                {
                    var r = g.Node.TransferLeader(target.ReplicaId);
                    // Accepted or not, the answer comes from a later look at who leads.
                    step.Complete(Responses.Status(ResponseStatus.Unavailable, $"transfer: {r}"));
                }
            });
            if (!posted)
            {
                return ShardNotHere(t.ShardId);
            }

            var answer = await step.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            if (answer.Status is ResponseStatus.Ok or ResponseStatus.PreconditionFailed)
            {
                return answer;
            }

            // A transfer this silo started makes it a follower: then the new leader is the answer.
            if (preferred && answer.Status == ResponseStatus.NotLeader && answer.Leader?.ReplicaId == target.ReplicaId)
            {
                return Responses.Ok();
            }

            if (answer.Status == ResponseStatus.NotLeader || time.GetUtcNow() >= deadline)
            {
                return answer;
            }

            if (!preferred && time.GetUtcNow() - preferenceSentAt > PreferenceResendInterval)
            {
                // Forwarded to the router's leader; one lost on the way is sent again.
                preferenceSentAt = time.GetUtcNow();
                cluster.ForwardToRouter(RouterCommands.SetPreferredLeader(t.ShardId, target.ReplicaId, pinned: true, preferenceSentAt.ToUnixTimeMilliseconds()));
            }

            // Polled, not awaited on an event: a transfer and a router commit each take a few ms.
            await Task.Delay(TimeSpan.FromMilliseconds(5), time, cancellationToken).ConfigureAwait(false);
        }
    }
}
