using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace MultiRaft.Client;

/// <summary>
/// A ready-made Orleans client host for tools and scripts that only talk to MultiRaft: the
/// cluster's ids, a clustering (static gateways, or any the caller configures), no log output,
/// and <see cref="MultiRaftClient"/> added. Applications with a host of their own use
/// <c>UseOrleansClient(...).AddMultiRaftClient()</c> instead.
/// </summary>
public sealed class MultiRaftClientHost : IAsyncDisposable
{
    private readonly IHost _host;

    private MultiRaftClientHost(IHost host) => _host = host;

    /// <summary>The client.</summary>
    public MultiRaftClient Client => _host.Services.GetRequiredService<MultiRaftClient>();

    /// <summary>The Orleans client's grain factory, for direct grain calls.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects through the given gateways (static clustering); see <see cref="StartAsync(Action{IClientBuilder}, string, string, Action{MultiRaftClientOptions}?, TimeSpan, CancellationToken)"/>.</summary>
    public static Task<MultiRaftClientHost> StartAsync(IReadOnlyList<IPEndPoint> gateways, string clusterId, string serviceId,
        Action<MultiRaftClientOptions>? configure, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        var endpoints = gateways.ToArray();
        return StartAsync(c => c.UseStaticClustering(endpoints), clusterId, serviceId, configure, connectTimeout, cancellationToken);
    }

    /// <summary>
    /// Starts an Orleans client configured by <paramref name="clustering"/> (which may add other
    /// Orleans settings too) and returns once it is connected.
    /// </summary>
    /// <exception cref="ReplicaUnreachableException">No gateway let the client in within <paramref name="connectTimeout"/> (never arrived anywhere).</exception>
    public static async Task<MultiRaftClientHost> StartAsync(Action<IClientBuilder> clustering, string clusterId, string serviceId,
        Action<MultiRaftClientOptions>? configure, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clustering);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        // A tool's output is its answer; Orleans' own log lines would only get in its way.
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            clustering(client);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            client.AddMultiRaftClient(configure);
        });
        var host = builder.Build();
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(connectTimeout);
            await host.StartAsync(deadline.Token).ConfigureAwait(false);
            return new MultiRaftClientHost(host);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var why = ex is OperationCanceledException ? $"no gateway let the client in within {connectTimeout.TotalSeconds:0.###} s" : ex.Message;
            throw new ReplicaUnreachableException($"cannot connect to the cluster '{clusterId}' (service '{serviceId}'): {why}", ex)
            {
                MayHaveArrived = false,
            };
        }
    }

    /// <inheritdoc />
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
