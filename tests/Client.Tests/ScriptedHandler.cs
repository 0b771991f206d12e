using MultiRaft.Gateway;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client.Tests;

/// <summary>A stand-in for the silo: answers with whatever the test's script says.</summary>
public sealed class ScriptedHandler(Func<ClientRequest, CancellationToken, Task<ClientResponse>> script) : IClientRequestHandler
{
    public Func<ClientRequest, CancellationToken, Task<ClientResponse>> Script { get; set; } = script;

    public async ValueTask<ClientResponse> HandleAsync(ClientRequest request, CancellationToken cancellationToken) =>
        await Script(request, cancellationToken);
}
