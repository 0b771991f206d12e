using System.Net;
using System.Text;
using MultiRaft.Client;

namespace MultiRaft.LoadGen;

/// <summary>
/// Sends each operation through one Orleans client host's <see cref="MultiRaftClient"/>:
/// <c>PutAsync</c> for writes, linearizable <c>GetAsync</c> for reads. Failures are thrown and
/// counted by the runner under their exception type's name.
/// </summary>
public sealed class OrleansKvTarget : IKvTarget, IAsyncDisposable
{
    private readonly MultiRaftClientHost _host;
    private readonly MultiRaftClient _client;

    private OrleansKvTarget(MultiRaftClientHost host)
    {
        _host = host;
        _client = host.Client;
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

        try
        {
            var host = await MultiRaftClientHost.StartAsync(gateways, orleans.ClusterId, orleans.ServiceId, o => o.RequestTimeout = requestTimeout,
                requestTimeout, cancellationToken);
            return new OrleansKvTarget(host);
        }
        catch (ReplicaUnreachableException ex)
        {
            throw new InvalidOperationException($"{ex.Message} (through {string.Join(", ", orleans.Gateways)}; --timeout bounds the wait)", ex);
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
    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
