using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Silo.Hosting;
using Orleans.TestingHost;
using StoreOptions = MultiRaft.Silo.Hosting.SiloOptions;
using SiloStatus = MultiRaft.Grains.Interfaces.Protos.SiloStatus;

namespace MultiRaft.Cluster.TestingHost.Tests;

/// <summary>
/// Orleans' <see cref="InProcessTestCluster"/> with three silos, each an ordinary Orleans silo
/// with the store added (<c>siloBuilder.AddMultiRaft</c>) under the name and ports the test
/// cluster gives it, and its file WAL in a temporary directory named after the silo, so that a
/// silo started again under the same name finds its log. The cluster's Orleans client carries a
/// <see cref="MultiRaftClient"/> (<c>AddMultiRaftClient</c>).
/// </summary>
public sealed class MultiRaftTestCluster : IAsyncDisposable
{
    /// <summary>Data shards the cluster starts with.</summary>
    public const int DataShards = 4;

    /// <summary>The name of the silo that starts the cluster.</summary>
    public const string BootstrapSilo = "Silo_0";

    /// <summary>The client's whole budget for one call, retries included.</summary>
    public static readonly TimeSpan ClientBudget = TimeSpan.FromSeconds(10);

    private readonly string _root;

    private MultiRaftTestCluster(InProcessTestCluster orleans, string root, StoreLog log)
    {
        Orleans = orleans;
        _root = root;
        Log = log;
    }

    /// <summary>The store's log events of every silo.</summary>
    public StoreLog Log { get; }

    /// <summary>The Orleans test cluster underneath.</summary>
    public InProcessTestCluster Orleans { get; }

    /// <summary>The test cluster's Orleans client.</summary>
    public IClusterClient OrleansClient => Orleans.Client;

    /// <summary>The MultiRaft client registered on the Orleans client.</summary>
    public MultiRaftClient Client => Orleans.Client.ServiceProvider.GetRequiredService<MultiRaftClient>();

    /// <summary>Names of the silos running now.</summary>
    public IReadOnlyList<string> SiloNames => [.. Orleans.Silos.Select(s => s.Name).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Starts three silos and waits until every shard has three voters in agreement.
    /// <paramref name="configureSilo"/> adds the test's own services to every silo, after the store.
    /// </summary>
    public static async Task<MultiRaftTestCluster> StartAsync(Action<ISiloBuilder>? configureSilo = null)
    {
        var root = Directory.CreateTempSubdirectory("multiraft-testhost-").FullName;
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        var log = new StoreLog();
        builder.ConfigureSiloHost((silo, host) => host.Logging.AddProvider(log.ForSilo(silo.SiloName)));
        if (Environment.GetEnvironmentVariable("MULTIRAFT_TEST_LOG") is { Length: > 0 } level)
        {
            // Debugging aid: MULTIRAFT_TEST_LOG=Information (or Debug) logs every host to the console.
            var min = (LogLevel)Math.Min((int)Enum.Parse<LogLevel>(level), (int)LogLevel.Information);
            builder.ConfigureHost(h => h.Logging.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(min));
        }

        builder.ConfigureSilo((silo, siloBuilder) =>
        {
            siloBuilder.AddMultiRaft(o => Configure(o, silo, root));
            configureSilo?.Invoke(siloBuilder);
        });
        builder.ConfigureClient(c => c.AddMultiRaftClient(o => o.RequestTimeout = ClientBudget));
        var orleans = builder.Build();
        var cluster = new MultiRaftTestCluster(orleans, root, log);
        try
        {
            await orleans.DeployAsync();
            await cluster.WaitConvergedAsync(TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    // The store's settings for one silo of the test cluster: its Orleans name and ports, its own
    // data directory (kept across restarts of that name), the bootstrap on the first silo only.
    private static void Configure(StoreOptions options, InProcessTestSiloSpecificOptions silo, string root)
    {
        options.SiloId = silo.SiloName;
        options.SiloPort = silo.SiloPort;
        options.GatewayPort = silo.GatewayPort;
        // No HTTP API runs in these silos; the port only completes the silo's record and must differ from the others.
        options.HttpPort = Enumerable.Range(8080, 3).First(p => p != silo.SiloPort && p != silo.GatewayPort);
        options.DataDirectory = Path.Combine(root, silo.SiloName);
        options.InitialShards = DataShards;
        options.Bootstrap = silo.SiloName == BootstrapSilo;
        options.TickMs = 50;
        options.Workers = 1;
        options.HeartbeatIntervalMs = 200;
    }

    /// <summary>The running silo named <paramref name="name"/>.</summary>
    public InProcessSiloHandle Silo(string name) => Orleans.Silos.Single(s => s.Name == name);

    /// <summary>The data directory of the silo named <paramref name="name"/>.</summary>
    public string DataDirectory(string name) => Path.Combine(_root, name);

    /// <summary>The replica grain <paramref name="replica"/> of <paramref name="shardId"/>, through the test cluster's client.</summary>
    public IReplicaGrain Replica(ulong shardId, ReplicaDescriptor replica) =>
        OrleansClient.GetGrain<IReplicaGrain>(GrainKeys.Replica(shardId, replica.ReplicaId, replica.SiloId));

    /// <summary>The cluster view as the silo serving the client's call has it.</summary>
    public async Task<ClusterView> ViewAsync()
    {
        var response = await OrleansClient.GetGrain<IRouterGrain>(0).GetView();
        Assert.Equal(ResponseStatus.Ok, response.Status);
        return response.Cluster;
    }

    /// <summary>The data shards of the view, by hash range.</summary>
    public static IReadOnlyList<ShardDescriptor> DataShardsOf(ClusterView view) => [.. view.Shards.Where(s => s.ShardId != 0)];

    /// <summary>A key (<c>{prefix}-{n}</c>, UTF-8) that the shard owns.</summary>
    public static byte[] KeyOwnedBy(ShardDescriptor shard, string prefix)
    {
        for (var n = 0; ; n++)
        {
            var key = Encoding.UTF8.GetBytes($"{prefix}-{n}");
            var hash = KeyHash.Of(key);
            if (hash >= shard.HashStart && hash < shard.HashEnd)
            {
                return key;
            }
        }
    }

    /// <summary>The shard of <paramref name="view"/> that owns <paramref name="key"/>.</summary>
    public static ulong ShardOf(ClusterView view, byte[] key)
    {
        var hash = KeyHash.Of(key);
        return DataShardsOf(view).Single(s => hash >= s.HashStart && hash < s.HashEnd).ShardId;
    }

    /// <summary>
    /// Waits until every running silo is active in the router's view, the meta shard and every
    /// data shard have a voter on each of them, each data shard's members agree (the same Raft
    /// voters and no learners, the same applied index and state digest), and every shard's leader,
    /// one of these silos, has reported itself to the router. Returns each data shard's digest.
    /// </summary>
    public async Task<IReadOnlyDictionary<ulong, byte[]>> WaitConvergedAsync(TimeSpan within)
    {
        var expected = SiloNames;
        var digests = new Dictionary<ulong, byte[]>();
        await Poll.UntilAsync($"the shards converge on {string.Join(", ", expected)}", within, async () =>
        {
            digests.Clear();
            var view = await ViewAsync();
            foreach (var name in expected)
            {
                if (!view.Silos.Any(s => s.SiloId == name && s.Status == SiloStatus.Active))
                {
                    return $"silo {name} is not active in the router's view";
                }
            }

            foreach (var shard in view.Shards)
            {
                var voters = shard.Replicas.Where(r => r.Role == ReplicaRole.Voter).Select(r => r.SiloId).Order(StringComparer.Ordinal);
                if (!voters.SequenceEqual(expected.Order(StringComparer.Ordinal)))
                {
                    return $"shard {shard.ShardId} has voters on [{string.Join(", ", voters)}]";
                }

                if (shard.ShardId == 0)
                {
                    continue;
                }

                var (disagreement, digest) = await AgreementAsync(shard);
                if (disagreement is not null)
                {
                    return disagreement;
                }

                digests[shard.ShardId] = digest!;
            }

            if (digests.Count != DataShards)
            {
                return $"{digests.Count} data shards in the view";
            }

            // Every shard's leader has reported itself (tests pick silos by the router's leader hints).
            var hinted = view.Leaders.Where(l => expected.Contains(l.SiloId)).Select(l => l.ShardId).Order();
            return hinted.SequenceEqual(view.Shards.Select(s => s.ShardId).Order()) ? null : "a shard's leader is not reported yet";
        });
        return digests;
    }

    // Whether every member of the shard answers its digest with the same voters, applied index
    // and digest: null and the digest, or why not.
    private async Task<(string? Why, byte[]? Digest)> AgreementAsync(ShardDescriptor shard)
    {
        ClientResponse? first = null;
        var voterIds = shard.Replicas.Select(r => r.ReplicaId).Order().ToArray();
        foreach (var replica in shard.Replicas)
        {
            var d = await Replica(shard.ShardId, replica).Digest();
            if (d.Status != ResponseStatus.Ok)
            {
                return ($"shard {shard.ShardId} on {replica.SiloId}: {d.Status} {d.Error}", null);
            }

            var raftVoters = d.Shard.Replicas.Where(m => m.Role == ReplicaRole.Voter).Select(m => m.ReplicaId).Order().ToArray();
            if (!raftVoters.SequenceEqual(voterIds) || d.Shard.Replicas.Any(m => m.Role != ReplicaRole.Voter))
            {
                return ($"shard {shard.ShardId} on {replica.SiloId}: Raft members {d.Shard.Replicas}", null);
            }

            if (first is null)
            {
                first = d;
            }
            else if (d.Version != first.Version || d.Value != first.Value)
            {
                return ($"shard {shard.ShardId}: members at applied index {first.Version} and {d.Version} ({replica.SiloId}) differ", null);
            }
        }

        return (null, first?.Value.ToByteArray());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Orleans.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One cluster shared by the tests of a class that do not disturb it.</summary>
public class ClusterFixture : IAsyncLifetime
{
    /// <summary>The cluster, started before the first test.</summary>
    public MultiRaftTestCluster Cluster { get; private set; } = null!;

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => Cluster = await StartAsync();

    /// <summary>Starts the cluster (a subclass may add its own services to the silos).</summary>
    protected virtual Task<MultiRaftTestCluster> StartAsync() => MultiRaftTestCluster.StartAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Null when the start failed (the start disposed what it had started).
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
