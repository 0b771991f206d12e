using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using Orleans.Configuration;

namespace MultiRaft.Cluster.Tests;

/// <summary>
/// An Orleans client host, as an application would run one: static clustering over the given
/// gateways, the cluster's ids, and <see cref="MultiRaftClient"/> added. The tests reach
/// replica and router grains through its <see cref="Grains"/>.
/// </summary>
public sealed class ClusterClientHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterClientHost(IHost host) => _host = host;

    /// <summary>The client's grain factory: typed calls to replica and router grains.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>The <see cref="MultiRaftClient"/> registered on the client (its options' timeout).</summary>
    public MultiRaftClient Client => _host.Services.GetRequiredService<MultiRaftClient>();

    /// <summary>Starts a client connected to <paramref name="gateways"/> (returns once it is connected).</summary>
    public static async Task<ClusterClientHost> StartAsync(IEnumerable<IPEndPoint> gateways, string clusterId = "multiraft-dev",
        string serviceId = "multiraft", TimeSpan? requestTimeout = null)
    {
        var endpoints = gateways.ToArray();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(c => c
            .UseStaticClustering(endpoints)
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            })
            // A restarted silo's gateway is tried again soon, not after the default minute.
            .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1))
            .AddMultiRaftClient(o => o.RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10)));
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        return new ClusterClientHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
