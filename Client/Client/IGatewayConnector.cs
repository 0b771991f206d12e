using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client;

/// <summary>
/// How the client reaches a gateway. The default opens pipelined TCP connections; a silo gives
/// its embedded client one that short-cuts requests to itself without the network.
/// </summary>
public interface IGatewayConnector : IAsyncDisposable
{
    /// <summary>Sends one request to the gateway at <paramref name="address"/> and awaits its response.</summary>
    /// <exception cref="GatewayUnreachableException">The gateway cannot be reached, or the connection broke before the response.</exception>
    ValueTask<ClientResponse> SendAsync(string address, ClientRequest request, CancellationToken cancellationToken);
}
