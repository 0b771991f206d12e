namespace MultiRaft.Cli;

/// <summary>
/// What a run of the tool touches outside itself: its output streams, its environment and how
/// it connects. Tests hand in writers and a client over a scripted grain channel.
/// </summary>
internal sealed record CliContext(
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> GetEnvironmentVariable,
    Func<CliConnection, CancellationToken, Task<CliClient>> Connect)
{
    /// <summary>The environment variable that names default gateways.</summary>
    public const string EndpointsVariable = "MULTIRAFT_ENDPOINTS";

    /// <summary>The environment variable that names the default Orleans cluster id.</summary>
    public const string ClusterIdVariable = "MULTIRAFT_CLUSTER_ID";

    /// <summary>The process's console and environment, and a real Orleans client.</summary>
    public static CliContext FromConsole() =>
        new(Console.Out, Console.Error, Environment.GetEnvironmentVariable, OrleansConnector.ConnectAsync);
}
