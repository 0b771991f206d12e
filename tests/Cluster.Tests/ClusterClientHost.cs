using System.Net;
using MultiRaft.Client;
using Orleans.Configuration;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// An Orleans client over the given gateways with <see cref="MultiRaftClient"/> added
/// (<see cref="MultiRaftClientHost"/>, as tools use it); the tests reach replica and router
/// grains through its <see cref="Grains"/>.
/// </summary>
public sealed class ClusterClientHost : IAsyncDisposable
{
    private readonly MultiRaftClientHost _host;

    private ClusterClientHost(MultiRaftClientHost host) => _host = host;

    /// <summary>The client's grain factory: typed calls to replica and router grains.</summary>
    public IGrainFactory Grains => _host.Grains;

    /// <summary>The <see cref="MultiRaftClient"/> registered on the client (its options' timeout).</summary>
    public MultiRaftClient Client => _host.Client;

    /// <summary>Starts a client connected to <paramref name="gateways"/> (returns once it is connected).</summary>
    public static async Task<ClusterClientHost> StartAsync(IEnumerable<IPEndPoint> gateways, string clusterId = "multiraft-dev",
        string serviceId = "multiraft", TimeSpan? requestTimeout = null)
    {
        var endpoints = gateways.ToArray();
        var host = await MultiRaftClientHost.StartAsync(
            c => c.UseStaticClustering(endpoints)
                // A restarted silo's gateway is tried again soon, not after the default minute.
                .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1)),
            clusterId, serviceId, o => o.RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30),
            CancellationToken.None).ConfigureAwait(false);
        return new ClusterClientHost(host);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
