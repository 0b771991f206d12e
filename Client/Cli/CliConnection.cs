using MultiRaft.Client;

namespace MultiRaft.Cli;

/// <summary>
/// Where and how the tool connects: the Orleans gateways it is given (static clustering), or a
/// PostgreSQL membership table to find them in (ADO.NET clustering: <see cref="Postgres"/> and
/// its schema), the cluster's Orleans identity, and the client's own options.
/// </summary>
internal sealed record CliConnection(IReadOnlyList<string> Endpoints, string ClusterId, string ServiceId, MultiRaftClientOptions Client)
{
    /// <summary>An Npgsql connection string: find the gateways in the cluster's membership table instead of <see cref="Endpoints"/>.</summary>
    public string? Postgres { get; init; }

    /// <summary>The schema holding the membership table (the silos' <c>--postgres-schema</c>).</summary>
    public string PostgresSchema { get; init; } = "multiraft";
}

/// <summary>A connected client and what must be stopped after it.</summary>
internal sealed class CliClient(MultiRaftClient client, IAsyncDisposable lifetime) : IAsyncDisposable
{
    public MultiRaftClient Client { get; } = client;

    public ValueTask DisposeAsync() => lifetime.DisposeAsync();
}
