using System.Collections.Concurrent;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Client.Tests;

/// <summary>
/// The client's only way out, scripted in memory: a stand-in for a cluster of silos behind
/// <see cref="IGrainChannel"/>. Every replica call is recorded with the grain it targeted. The
/// router grain answers with <see cref="View"/>, session openings get increasing ids (100, 101,
/// ...), and every other operation is answered by <see cref="Script"/>. Requests and answers
/// are copied, as Orleans' serialization copies them, so neither side sees the other's later changes.
/// </summary>
public sealed class FakeCluster : IGrainChannel
{
    private readonly string[] _silos;
    private long _nextSession = 100;
    private int _viewRequests;
    private int _sessionsOpened;

    /// <summary>
    /// Silos silo-a, silo-b, ... and a view with the meta shard 0 and <paramref name="dataShards"/>
    /// data shards splitting the hash space evenly, every shard replicated on every silo, silo-a
    /// leading, epochs (1, 1).
    /// </summary>
    public FakeCluster(int silos, int dataShards = 1)
    {
        _silos = [.. Enumerable.Range(0, silos).Select(i => $"silo-{(char)('a' + i)}")];
        View = BuildView(dataShards, routerIndex: 1);
        SessionScript = (_, _, _) => new(OpenSession());
    }

    public ClusterView View { get; set; }

    /// <summary>Answers every replica operation other than a session opening.</summary>
    public ReplicaScript Script { get; set; } = Scripts.Reply(ResponseStatus.Ok);

    /// <summary>Answers session openings; by default <see cref="OpenSession"/>.</summary>
    public ReplicaScript SessionScript { get; set; }

    /// <summary>When set, answers the n-th request for the view (from 1) instead of <see cref="View"/>; may throw.</summary>
    public Func<int, ClientResponse>? ViewScript { get; set; }

    /// <summary>Every replica call, with the grain it targeted, in call order.</summary>
    public ConcurrentQueue<(ReplicaAddress Target, ClientRequest Request)> Sent { get; } = new();

    public int ViewRequests => Volatile.Read(ref _viewRequests);

    public int SessionsOpened => Volatile.Read(ref _sessionsOpened);

    public static ClientResponse ViewAnswer(ClusterView view) => new() { Status = ResponseStatus.Ok, Cluster = view.Clone() };

    /// <summary>
    /// A view of the first <paramref name="silos"/> silos (all by default) and
    /// <paramref name="dataShards"/> data shards, every shard on every one of them; replica ids
    /// are shard id * 10 + the silo's position from 1 (shard 1: 11 on silo-a, 12 on silo-b, ...).
    /// </summary>
    public ClusterView BuildView(int dataShards, ulong routerIndex, ulong rangeVer = 1, int? silos = null)
    {
        var members = _silos.Take(silos ?? _silos.Length).ToList();
        var view = new ClusterView { ClusterId = "test-cluster", RouterAppliedIndex = routerIndex, ServedBy = "silo-a" };
        view.Silos.AddRange(members.Select(s => new SiloInfo { SiloId = s, Status = SiloStatus.Active }));
        var starts = KeyHash.EvenSplitStarts(dataShards);
        view.Shards.Add(Shard(members, 0, 0, 0, 1));
        for (var i = 0; i < dataShards; i++)
        {
            var end = i + 1 < dataShards ? starts[i + 1] : KeyHash.SpaceEnd;
            view.Shards.Add(Shard(members, (ulong)i + 1, starts[i], end, rangeVer));
        }

        view.Leaders.AddRange(view.Shards.Select(s => new LeaderHint { ShardId = s.ShardId, ReplicaId = (s.ShardId * 10) + 1, SiloId = "silo-a", Term = 1 }));
        return view;
    }

    /// <summary>The model's answer to a session opening: the next session id.</summary>
    public ClientResponse OpenSession()
    {
        Interlocked.Increment(ref _sessionsOpened);
        return new ClientResponse { Status = ResponseStatus.Ok, SessionId = (ulong)Interlocked.Increment(ref _nextSession) - 1 };
    }

    public MultiRaftClient NewClient(Action<MultiRaftClientOptions>? configure = null)
    {
        var options = new MultiRaftClientOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
            InitialRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(10),

            // The fake hands out session ids as the cluster's opening proposal would; tests of
            // sessions opened by a first write turn this on.
            OpenSessionsWithFirstWrite = false,
        };
        configure?.Invoke(options);
        return new MultiRaftClient(options, this);
    }

    /// <summary>The calls of one kind, in call order.</summary>
    public List<(ReplicaAddress Target, ClientRequest Request)> Of(ClientRequest.OpOneofCase kind) =>
        [.. Sent.Where(r => r.Request.OpCase == kind)];

    public async ValueTask<ClientResponse> SendAsync(ReplicaAddress target, ClientRequest request, CancellationToken cancellationToken)
    {
        var copy = request.Clone();
        Sent.Enqueue((target, copy));
        var script = copy.OpCase == ClientRequest.OpOneofCase.OpenSession ? SessionScript : Script;
        return (await script(target, copy, cancellationToken)).Clone();
    }

    public ValueTask<ClientResponse> GetViewAsync(CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _viewRequests);
        try
        {
            return new(ViewScript?.Invoke(n).Clone() ?? ViewAnswer(View));
        }
        catch (Exception ex)
        {
            // A failed grain call faults its task; it does not throw from the call itself.
            return ValueTask.FromException<ClientResponse>(ex);
        }
    }

    private static ShardDescriptor Shard(List<string> silos, ulong id, ulong start, ulong end, ulong rangeVer)
    {
        var shard = new ShardDescriptor
        {
            ShardId = id, HashStart = start, HashEnd = end, Epoch = new ShardEpoch { ConfVer = 1, RangeVer = rangeVer },
        };
        shard.Replicas.AddRange(silos.Select((s, i) => new ReplicaDescriptor
        {
            ReplicaId = (id * 10) + (ulong)i + 1, SiloId = s, Role = ReplicaRole.Voter,
        }));
        return shard;
    }
}
