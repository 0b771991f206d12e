using MultiRaft.Client;
using MultiRaft.Gateway;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Silo.Requests;

/// <summary>
/// The connector of the silo's embedded client (HTTP API, joins): requests for this silo's own
/// gateway are served in-process, without a socket; others go over TCP.
/// </summary>
internal sealed class LocalGatewayConnector(string selfAddress, Func<IClientRequestHandler> handler, IGatewayConnector remote)
    : IGatewayConnector
{
    public ValueTask<ClientResponse> SendAsync(string address, ClientRequest request, CancellationToken cancellationToken) =>
        string.Equals(address, selfAddress, StringComparison.OrdinalIgnoreCase)
            ? handler().HandleAsync(request, cancellationToken)
            : remote.SendAsync(address, request, cancellationToken);

    public ValueTask DisposeAsync() => remote.DisposeAsync();
}
