using MultiRaft.Client;

namespace MultiRaft.Cli;

/// <summary>
/// What a run of the tool touches outside itself: its output streams, its environment and how
/// it makes a client. Tests hand in writers and a client over a scripted gateway.
/// </summary>
internal sealed record CliContext(
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> GetEnvironmentVariable,
    Func<MultiRaftClientOptions, MultiRaftClient> CreateClient)
{
    /// <summary>The environment variable that names default gateways.</summary>
    public const string EndpointsVariable = "MULTIRAFT_ENDPOINTS";

    /// <summary>The process's console, environment and TCP gateways.</summary>
    public static CliContext FromConsole() =>
        new(Console.Out, Console.Error, Environment.GetEnvironmentVariable, options => new MultiRaftClient(options));
}
