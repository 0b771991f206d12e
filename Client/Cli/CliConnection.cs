using MultiRaft.Client;

namespace MultiRaft.Cli;

/// <summary>
/// Where and how the tool connects: the Orleans gateways it is given (static clustering), the
/// cluster's Orleans identity, and the client's own options.
/// </summary>
internal sealed record CliConnection(IReadOnlyList<string> Endpoints, string ClusterId, string ServiceId, MultiRaftClientOptions Client);

/// <summary>A connected client and what must be stopped after it.</summary>
internal sealed class CliClient(MultiRaftClient client, IAsyncDisposable lifetime) : IAsyncDisposable
{
    public MultiRaftClient Client { get; } = client;

    public ValueTask DisposeAsync() => lifetime.DisposeAsync();
}
