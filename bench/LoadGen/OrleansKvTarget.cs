using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using Orleans.Configuration;
using Orleans.Hosting;

namespace MultiRaft.LoadGen;

/// <summary>
/// Sends each operation through one Orleans client host's <see cref="MultiRaftClient"/>:
/// <c>PutAsync</c> for writes, linearizable <c>GetAsync</c> for reads. Failures are thrown and
/// counted by the runner under their exception type's name.
/// </summary>
public sealed class OrleansKvTarget : IKvTarget, IAsyncDisposable
{
    private readonly IHost _host;
    private readonly MultiRaftClient _client;

    private OrleansKvTarget(IHost host)
    {
        _host = host;
        _client = host.Services.GetRequiredService<MultiRaftClient>();
    }

    /// <summary>
    /// Starts the client host and connects it to the gateways, waiting at most the request timeout;
    /// throws <see cref="InvalidOperationException"/> saying why when it cannot.
    /// </summary>
    public static async Task<OrleansKvTarget> ConnectAsync(OrleansTargetOptions orleans, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orleans);
        var gateways = new List<IPEndPoint>();
        foreach (var gateway in orleans.Gateways)
        {
            try
            {
                gateways.Add(await GatewayEndpoint.ResolveAsync(gateway, cancellationToken));
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException or FormatException)
            {
                throw new InvalidOperationException($"cannot resolve the gateway '{gateway}': {ex.Message}", ex);
            }
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // The report is the output; Orleans' own log lines would only get in its way.
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client
            .UseStaticClustering([.. gateways])
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = orleans.ClusterId;
                o.ServiceId = orleans.ServiceId;
            })
            .AddMultiRaftClient(o => o.RequestTimeout = requestTimeout));
        var host = builder.Build();
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(requestTimeout);
            await host.StartAsync(deadline.Token);
            return new OrleansKvTarget(host);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var why = ex is OperationCanceledException ? $"no gateway let the client in within {requestTimeout.TotalSeconds:0.###} s (--timeout)" : ex.Message;
            throw new InvalidOperationException(
                $"cannot connect to the cluster '{orleans.ClusterId}' (service '{orleans.ServiceId}') through {string.Join(", ", orleans.Gateways)}: {why}", ex);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<string?> SendAsync(int client, OpKind kind, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        if (kind == OpKind.Read)
        {
            await _client.GetAsync(keyBytes, ReadConsistency.Linearizable, cancellationToken);
        }
        else
        {
            await _client.PutAsync(keyBytes, value, cancellationToken: cancellationToken);
        }

        return null;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            // A client of a cluster that went away should not hold up the report.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _host.StopAsync(deadline.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
