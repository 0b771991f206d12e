using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Gateway;

/// <summary>
/// Answers client requests (the silo implements it). Called concurrently, many requests per
/// connection at once; the gateway sets the response's request id.
/// </summary>
public interface IClientRequestHandler
{
    /// <summary>
    /// The answer to <paramref name="request"/>. <paramref name="cancellationToken"/> fires when the
    /// client's connection closes. An exception is answered with <c>RESPONSE_STATUS_INTERNAL</c>.
    /// </summary>
    ValueTask<ClientResponse> HandleAsync(ClientRequest request, CancellationToken cancellationToken);
}
