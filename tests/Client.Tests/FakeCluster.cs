using System.Collections.Concurrent;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client.Tests;

/// <summary>
/// Several real gateways on loopback, each answering through one script that knows which silo was
/// asked: a stand-in for a cluster of silos. Cluster requests are answered with <see cref="View"/>
/// and session openings with increasing ids (100, 101, ...), unless a script takes them over.
/// </summary>
public sealed class FakeCluster : IAsyncDisposable
{
    private readonly List<TestGateway> _gateways = [];
    private long _nextSession = 100;
    private int _clusterRequests;
    private int _sessionsOpened;

    public delegate Task<ClientResponse> Handler(string silo, ClientRequest request, CancellationToken cancellationToken);

    public ClusterView View { get; set; } = new();

    /// <summary>Answers every request the cluster does not answer itself.</summary>
    public Handler Script { get; set; } = (_, _, _) => Task.FromResult(new ClientResponse { Status = ResponseStatus.Ok });

    /// <summary>Takes over cluster requests when set.</summary>
    public Func<string, ClusterView>? ViewScript { get; set; }

    /// <summary>Every request the script answered, with the silo that got it, in arrival order.</summary>
    public ConcurrentQueue<(string Silo, ClientRequest Request)> Requests { get; } = new();

    public int ClusterRequests => Volatile.Read(ref _clusterRequests);

    public int SessionsOpened => Volatile.Read(ref _sessionsOpened);

    public IReadOnlyList<TestGateway> Gateways => _gateways;

    /// <summary>
    /// Starts <paramref name="silos"/> gateways (silo-a, silo-b, ...) and a view with the meta
    /// shard 0 and <paramref name="dataShards"/> data shards splitting the hash space evenly,
    /// every shard replicated on every silo, silo-a leading, epochs (1, 1).
    /// </summary>
    public static async Task<FakeCluster> StartAsync(int silos, int dataShards = 1)
    {
        var cluster = new FakeCluster();
        for (var i = 0; i < silos; i++)
        {
            var silo = $"silo-{(char)('a' + i)}";
            var handler = new ScriptedHandler((request, ct) => cluster.HandleAsync(silo, request, ct));
            cluster._gateways.Add(await TestGateway.StartAsync(silo, handler));
        }

        cluster.View = cluster.BuildView(dataShards, routerIndex: 1);
        return cluster;
    }

    public ClusterView BuildView(int dataShards, ulong routerIndex, ulong rangeVer = 1)
    {
        var view = new ClusterView { ClusterId = "test-cluster", RouterAppliedIndex = routerIndex };
        view.Silos.AddRange(_gateways.Select(g => new SiloInfo
        {
            SiloId = g.SiloId, GatewayAddress = g.Address, Status = SiloStatus.Active,
        }));
        var starts = KeyHash.EvenSplitStarts(dataShards);
        view.Shards.Add(Shard(0, 0, 0, 1));
        for (var i = 0; i < dataShards; i++)
        {
            var end = i + 1 < dataShards ? starts[i + 1] : KeyHash.SpaceEnd;
            view.Shards.Add(Shard((ulong)i + 1, starts[i], end, rangeVer));
        }

        view.Leaders.AddRange(view.Shards.Select(s => new LeaderHint { ShardId = s.ShardId, SiloId = "silo-a", Term = 1 }));
        return view;
    }

    public MultiRaftClient NewClient(Action<MultiRaftClientOptions>? configure = null)
    {
        var options = new MultiRaftClientOptions
        {
            ClusterId = "test-cluster",
            RequestTimeout = TimeSpan.FromSeconds(10),
            InitialRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(10),
        };
        options.Endpoints.Add(_gateways[0].Address);
        configure?.Invoke(options);
        return new MultiRaftClient(options);
    }

    /// <summary>The requests of one kind, in arrival order.</summary>
    public List<(string Silo, ClientRequest Request)> Of(ClientRequest.OpOneofCase kind) =>
        [.. Requests.Where(r => r.Request.OpCase == kind)];

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }
    }

    private ShardDescriptor Shard(ulong id, ulong start, ulong end, ulong rangeVer)
    {
        var shard = new ShardDescriptor
        {
            ShardId = id, HashStart = start, HashEnd = end, Epoch = new ShardEpoch { ConfVer = 1, RangeVer = rangeVer },
        };
        shard.Replicas.AddRange(_gateways.Select((g, i) => new ReplicaDescriptor
        {
            ReplicaId = (id * 10) + (ulong)i + 1, SiloId = g.SiloId, Role = ReplicaRole.Voter,
        }));
        return shard;
    }

    private Task<ClientResponse> HandleAsync(string silo, ClientRequest request, CancellationToken cancellationToken)
    {
        if (request.OpCase == ClientRequest.OpOneofCase.Cluster)
        {
            Interlocked.Increment(ref _clusterRequests);
            var view = ViewScript?.Invoke(silo) ?? View.Clone();
            view.ServedBy = silo;
            return Task.FromResult(new ClientResponse { Status = ResponseStatus.Ok, Cluster = view });
        }

        if (request.OpCase == ClientRequest.OpOneofCase.OpenSession)
        {
            Interlocked.Increment(ref _sessionsOpened);
            return Task.FromResult(new ClientResponse
            {
                Status = ResponseStatus.Ok, SessionId = (ulong)Interlocked.Increment(ref _nextSession) - 1,
            });
        }

        Requests.Enqueue((silo, request));
        return Script(silo, request, cancellationToken);
    }
}
