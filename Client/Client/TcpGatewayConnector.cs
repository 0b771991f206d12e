using System.Collections.Concurrent;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client;

/// <summary>
/// The default <see cref="IGatewayConnector"/>: per gateway address up to
/// <see cref="MultiRaftClientOptions.ConnectionsPerGateway"/> pipelined TCP connections, opened
/// on first use and reopened by the next request after one breaks. Requests are spread over
/// them in turn.
/// </summary>
public sealed class TcpGatewayConnector : IGatewayConnector
{
    private readonly ConcurrentDictionary<string, Gateway> _gateways = new(StringComparer.Ordinal);
    private readonly string _clusterId;
    private readonly string _clientName;
    private readonly int _connectionsPerGateway;
    private readonly int _maxFrameSize;
    private readonly TimeSpan _connectTimeout;
    private volatile bool _disposed;

    /// <summary>Creates the connector; nothing connects until the first request.</summary>
    /// <param name="clusterId">Sent in the hello: gateways of another cluster refuse the connection. Empty accepts any.</param>
    /// <param name="connectionsPerGateway">Connections per gateway address.</param>
    /// <param name="clientName">Sent in the hello, for the gateway's logs.</param>
    /// <param name="maxFrameSize">The largest frame written or accepted.</param>
    /// <param name="connectTimeout">How long connecting plus the hello may take; default 5 s.</param>
    public TcpGatewayConnector(string clusterId = "", int connectionsPerGateway = 2, string clientName = "multiraft-client",
        int maxFrameSize = 16 * 1024 * 1024, TimeSpan? connectTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connectionsPerGateway, 1);
        _clusterId = clusterId ?? "";
        _clientName = clientName ?? "";
        _connectionsPerGateway = connectionsPerGateway;
        _maxFrameSize = maxFrameSize;
        _connectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5);
    }

    /// <inheritdoc />
    public async ValueTask<ClientResponse> SendAsync(string address, ClientRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var gateway = _gateways.GetOrAdd(address, a => new Gateway(a, _connectionsPerGateway));
        var connection = await gateway.GetAsync(this, cancellationToken).ConfigureAwait(false);
        return await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var gateway in _gateways.Values)
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
        }

        _gateways.Clear();
    }

    private Task<GatewayConnection> ConnectAsync(string address) =>
        GatewayConnection.ConnectAsync(address, _clusterId, _clientName, _maxFrameSize, _connectTimeout, CancellationToken.None);

    // The connection slots of one address.
    private sealed class Gateway(string address, int slots) : IAsyncDisposable
    {
        private readonly Task<GatewayConnection>?[] _slots = new Task<GatewayConnection>?[slots];
        private readonly Lock _lock = new();
        private int _next;

        public async Task<GatewayConnection> GetAsync(TcpGatewayConnector owner, CancellationToken cancellationToken)
        {
            Task<GatewayConnection> connecting;
            lock (_lock)
            {
                var i = _next++ % _slots.Length;
                if (_next == int.MaxValue)
                {
                    _next = 0;
                }

                var slot = _slots[i];
                // A slot that failed to connect, or whose connection broke, is reopened by this request.
                if (slot is null || slot.IsFaulted || slot.IsCanceled
                    || (slot.IsCompletedSuccessfully && slot.Result.IsClosed))
                {
                    if (slot is { IsCompletedSuccessfully: true })
                    {
                        _ = slot.Result.DisposeAsync().AsTask();
                    }

                    // Connecting is shared by every request that picks the slot meanwhile, so one
                    // caller's cancellation must not abort it: each waits with its own token.
                    slot = owner.ConnectAsync(address);
                    _slots[i] = slot;
                }

                connecting = slot;
            }

            return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            Task<GatewayConnection>?[] slots;
            lock (_lock)
            {
                slots = [.. _slots];
                Array.Clear(_slots);
            }

            foreach (var slot in slots)
            {
                if (slot is null)
                {
                    continue;
                }

                try
                {
                    var connection = await slot.ConfigureAwait(false);
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
                catch (GatewayUnreachableException)
                {
                    // It never connected.
                }
            }
        }
    }
}
