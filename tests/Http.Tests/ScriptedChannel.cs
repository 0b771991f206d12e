using Google.Protobuf;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Testing;

/// <summary>
/// The cluster's grains in memory: answers every replica-grain call the way a two-shard cluster
/// would (a small ordered map with versions, sessions that de-duplicate retried writes) and the
/// router grain's view call with a ClusterView, records every call it saw, and lets a test script
/// any answer through <see cref="Override"/>. Shared by the HTTP and CLI tests.
/// </summary>
internal sealed class ScriptedChannel : IGrainChannel
{
    public const string Silo1 = "silo-1";
    public const string Silo2 = "silo-2";
    public const string Gateway1 = "127.0.0.1:30001";
    public const string Gateway2 = "127.0.0.1:30002";
    public const ulong HalfSpace = KeyHash.SpaceEnd / 2;

    private readonly Lock _gate = new();
    private readonly List<Call> _calls = [];
    private readonly SortedDictionary<byte[], KvPair> _data = new(ByteOrder.Instance);
    private readonly Dictionary<(ulong Session, ulong Sequence), ClientResponse> _sessions = [];
    private ulong _nextVersion = 1;
    private ulong _nextSession = 1;

    public ScriptedChannel() => View = DefaultView();

    /// <summary>The view the router grain answers.</summary>
    public ClusterView View { get; }

    /// <summary>
    /// When set and returning non-null, answers the call instead of the model; throwing
    /// <see cref="ReplicaUnreachableException"/> from it makes the call come back without an answer.
    /// The router's view call arrives as a request whose op is <see cref="ClientRequest.OpOneofCase.Cluster"/>.
    /// </summary>
    public Func<ClientRequest, ClientResponse?>? Override { get; set; }

    /// <summary>Every call seen, in arrival order.</summary>
    public IReadOnlyList<Call> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Every request seen, in arrival order; the router's view calls as <see cref="ClientRequest.OpOneofCase.Cluster"/>.</summary>
    public IReadOnlyList<ClientRequest> Requests => [.. Calls.Select(c => c.Request)];

    /// <summary>The write requests seen.</summary>
    public IReadOnlyList<WriteRequest> Writes => [.. Requests.Where(r => r.OpCase == ClientRequest.OpOneofCase.Write).Select(r => r.Write)];

    /// <summary>Requests that touch data (not cluster views or sessions).</summary>
    public IReadOnlyList<ClientRequest> DataRequests => [.. Requests.Where(r => r.OpCase is ClientRequest.OpOneofCase.Get
        or ClientRequest.OpOneofCase.Write or ClientRequest.OpOneofCase.Scan)];

    /// <summary>Puts a key directly into the model, returning its version.</summary>
    public ulong Seed(byte[] key, byte[] value)
    {
        lock (_gate)
        {
            var version = _nextVersion++;
            _data[key] = new KvPair { Key = ByteString.CopyFrom(key), Value = ByteString.CopyFrom(value), Version = version };
            return version;
        }
    }

    /// <summary>The model's entry for a key, or null.</summary>
    public KvPair? Stored(byte[] key)
    {
        lock (_gate)
        {
            return _data.GetValueOrDefault(key);
        }
    }

    public ValueTask<ClientResponse> SendAsync(ReplicaAddress target, ClientRequest request, CancellationToken cancellationToken) =>
        Receive(target, request);

    public ValueTask<ClientResponse> GetViewAsync(CancellationToken cancellationToken) =>
        Receive(null, new ClientRequest { Cluster = new ClusterRequest() });

    // A scripted failure comes back as a faulted call, as a grain call's would.
    private ValueTask<ClientResponse> Receive(ReplicaAddress? target, ClientRequest request)
    {
        lock (_gate)
        {
            _calls.Add(new Call(target, request.Clone()));
        }

        try
        {
            return ValueTask.FromResult(Override?.Invoke(request) ?? Answer(request));
        }
        catch (ReplicaUnreachableException ex)
        {
            return ValueTask.FromException<ClientResponse>(ex);
        }
    }

    private ClientResponse Answer(ClientRequest request)
    {
        lock (_gate)
        {
            return request.OpCase switch
            {
                ClientRequest.OpOneofCase.Cluster => new ClientResponse { Cluster = View.Clone() },
                ClientRequest.OpOneofCase.OpenSession => new ClientResponse { SessionId = _nextSession++ },
                ClientRequest.OpOneofCase.Get => Get(request.Get),
                ClientRequest.OpOneofCase.Write => Write(request.Write),
                ClientRequest.OpOneofCase.Scan => Scan(request.Scan),
                ClientRequest.OpOneofCase.TransferLeader => TransferLeader(request.TransferLeader),
                _ => new ClientResponse { Status = ResponseStatus.BadRequest, Error = "not scripted" },
            };
        }
    }

    private ClientResponse Get(GetRequest get) =>
        _data.TryGetValue(get.Key.ToByteArray(), out var pair)
            ? new ClientResponse { Value = pair.Value, Version = pair.Version }
            : new ClientResponse { Status = ResponseStatus.NotFound };

    private ClientResponse Write(WriteRequest write)
    {
        if (write.SessionId != 0 && _sessions.TryGetValue((write.SessionId, write.Sequence), out var earlier))
        {
            return earlier.Clone();
        }

        var key = write.Key.ToByteArray();
        var current = _data.GetValueOrDefault(key);
        var currentVersion = current?.Version ?? 0;
        ClientResponse response;
        if ((write.Condition == WriteCondition.IfVersion && currentVersion != write.ExpectedVersion)
            || (write.Condition == WriteCondition.IfAbsent && current is not null))
        {
            response = new ClientResponse { Status = ResponseStatus.PreconditionFailed, Version = currentVersion, Error = "condition failed" };
        }
        else if (write.Kind == WriteKind.Delete)
        {
            if (current is null)
            {
                response = new ClientResponse { Status = ResponseStatus.NotFound };
            }
            else
            {
                _data.Remove(key);
                response = new ClientResponse { Version = currentVersion };
            }
        }
        else
        {
            var version = _nextVersion++;
            _data[key] = new KvPair { Key = write.Key, Value = write.Value, Version = version };
            response = new ClientResponse { Version = version };
        }

        if (write.SessionId != 0)
        {
            _sessions[(write.SessionId, write.Sequence)] = response.Clone();
        }

        return response;
    }

    private ClientResponse Scan(ScanRequest scan)
    {
        var shard = View.Shards.FirstOrDefault(s => s.ShardId == scan.Route?.ShardId);
        var prefix = scan.Prefix.Span;
        var startAfter = scan.StartAfter.ToByteArray();
        var response = new ClientResponse();
        foreach (var (key, pair) in _data)
        {
            var hash = KeyHash.Of(key);
            if ((shard is not null && (hash < shard.HashStart || hash >= shard.HashEnd))
                || !key.AsSpan().StartsWith(prefix)
                || (startAfter.Length > 0 && ByteOrder.Instance.Compare(key, startAfter) <= 0))
            {
                continue;
            }

            if (scan.Limit > 0 && response.Items.Count == scan.Limit)
            {
                response.More = true;
                break;
            }

            response.Items.Add(pair.Clone());
        }

        return response;
    }

    private ClientResponse TransferLeader(TransferLeaderRequest transfer)
    {
        var shard = View.Shards.FirstOrDefault(s => s.ShardId == transfer.ShardId);
        if (shard is null)
        {
            return new ClientResponse { Status = ResponseStatus.ShardNotFound, Error = "no such shard" };
        }

        var replica = shard.Replicas.FirstOrDefault(r => r.SiloId == transfer.ToSiloId);
        if (replica is null)
        {
            return new ClientResponse { Status = ResponseStatus.UnknownSilo, Error = "no such silo" };
        }

        var hint = View.Leaders.First(l => l.ShardId == shard.ShardId);
        hint.ReplicaId = replica.ReplicaId;
        hint.SiloId = replica.SiloId;
        hint.Term++;
        return new ClientResponse { Leader = hint.Clone() };
    }

    /// <summary>Adds the meta shard (0, on both silos, led by silo-1) to the view: requests for the router go to it.</summary>
    public void AddMetaShard()
    {
        lock (_gate)
        {
            var meta = new ShardDescriptor { ShardId = 0, Epoch = new ShardEpoch { ConfVer = 2, RangeVer = 1 } };
            meta.Replicas.Add(new ReplicaDescriptor { ReplicaId = 1, SiloId = Silo1, Role = ReplicaRole.Voter });
            meta.Replicas.Add(new ReplicaDescriptor { ReplicaId = 2, SiloId = Silo2, Role = ReplicaRole.Voter });
            View.Shards.Insert(0, meta);
            View.Leaders.Insert(0, new LeaderHint { ShardId = 0, ReplicaId = 1, SiloId = Silo1, Term = 1 });
        }
    }

    /// <summary>
    /// Adds the meta shard and answers drain and remove requests with <paramref name="refusal"/>
    /// (PRECONDITION_FAILED with that reason), or, without one, OK with the view.
    /// </summary>
    public void ScriptScaleIn(string? refusal = null)
    {
        AddMetaShard();
        Override = r => r.OpCase != ClientRequest.OpOneofCase.ScaleIn ? null
            : refusal is null ? new ClientResponse { Cluster = View.Clone() }
            : new ClientResponse { Status = ResponseStatus.PreconditionFailed, Error = refusal };
    }

    /// <summary>
    /// Scripts the router's answer to a split: with no refusal, the named shard keeps the lower
    /// part and a new shard 3 (replicas 31, 32) takes [hash, end) in the view answered.
    /// </summary>
    public void ScriptSplit(string? refusal = null)
    {
        AddMetaShard();
        Override = r =>
        {
            if (r.OpCase != ClientRequest.OpOneofCase.SplitShard)
            {
                return null;
            }

            if (refusal is not null)
            {
                return new ClientResponse { Status = ResponseStatus.PreconditionFailed, Error = refusal };
            }

            lock (_gate)
            {
                var shard = View.Shards.FirstOrDefault(s => s.ShardId == r.SplitShard.ShardId && s.ShardId != 0);
                if (shard is null)
                {
                    return new ClientResponse { Status = ResponseStatus.NotFound, Error = "no data shard " + r.SplitShard.ShardId };
                }

                var at = r.SplitShard.SplitHash != 0 ? r.SplitShard.SplitHash : shard.HashStart + ((shard.HashEnd - shard.HashStart) / 2);
                var added = Shard(3, at, shard.HashEnd, 31, 32);
                added.Epoch.RangeVer = ++shard.Epoch.RangeVer;
                shard.HashEnd = at;
                View.Shards.Insert(View.Shards.IndexOf(shard) + 1, added);
                View.RouterAppliedIndex++;
                return new ClientResponse { Cluster = View.Clone() };
            }
        };
    }

    /// <summary>The one drain or remove request seen: the shard it went to, the silo it named, and whether it removes.</summary>
    public (ulong Shard, string Silo, bool Remove) ScaleInCall()
    {
        var call = Calls.Single(c => c.Request.OpCase == ClientRequest.OpOneofCase.ScaleIn);
        return (call.Target!.Value.ShardId, call.Request.ScaleIn.SiloId, call.Request.ScaleIn.Remove);
    }

    private static ClusterView DefaultView()
    {
        var view = new ClusterView { ClusterId = "test", ServedBy = Silo1, RouterAppliedIndex = 42 };
        view.Silos.Add(new SiloInfo
        {
            SiloId = Silo1, SiloAddress = "127.0.0.1:11111", GatewayAddress = Gateway1, HttpAddress = "127.0.0.1:8081",
            Status = SiloStatus.Active, LastHeartbeatMs = 1_700_000_000_000, JoinedMs = 1_699_999_000_000,
        });
        view.Silos.Add(new SiloInfo
        {
            SiloId = Silo2, SiloAddress = "127.0.0.1:11112", GatewayAddress = Gateway2, HttpAddress = "127.0.0.1:8082",
            Status = SiloStatus.Active, LastHeartbeatMs = 1_700_000_001_000, JoinedMs = 1_699_999_500_000,
        });
        view.Shards.Add(Shard(1, 0, HalfSpace, 11, 12));
        view.Shards.Add(Shard(2, HalfSpace, KeyHash.SpaceEnd, 21, 22));
        view.Leaders.Add(new LeaderHint { ShardId = 1, ReplicaId = 11, SiloId = Silo1, Term = 3, CommitIndex = 100, AppliedIndex = 99 });
        view.Leaders.Add(new LeaderHint { ShardId = 2, ReplicaId = 22, SiloId = Silo2, Term = 5, CommitIndex = 200, AppliedIndex = 200 });
        return view;
    }

    private static ShardDescriptor Shard(ulong id, ulong start, ulong end, ulong replicaOnSilo1, ulong replicaOnSilo2)
    {
        var shard = new ShardDescriptor { ShardId = id, HashStart = start, HashEnd = end, Epoch = new ShardEpoch { ConfVer = 2, RangeVer = 1 } };
        shard.Replicas.Add(new ReplicaDescriptor { ReplicaId = replicaOnSilo1, SiloId = Silo1, Role = ReplicaRole.Voter });
        shard.Replicas.Add(new ReplicaDescriptor { ReplicaId = replicaOnSilo2, SiloId = Silo2, Role = ReplicaRole.Voter });
        return shard;
    }

    /// <summary>One call: the replica grain it went to (null for the router's view) and what it asked.</summary>
    public readonly record struct Call(ReplicaAddress? Target, ClientRequest Request);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
