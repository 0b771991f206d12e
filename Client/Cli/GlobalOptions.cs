using System.CommandLine;
using MultiRaft.Client;

namespace MultiRaft.Cli;

/// <summary><c>--endpoints</c> and <c>--timeout</c>, valid on every command, and the client options they make.</summary>
internal sealed class GlobalOptions
{
    /// <summary>Where the tool looks when neither the option nor the environment names a gateway.</summary>
    public const string DefaultEndpoints = "127.0.0.1:30000";

    public Option<string?> Endpoints { get; } = new("--endpoints")
    {
        Description = $"Gateways as host:port,... (default: ${CliContext.EndpointsVariable} or {DefaultEndpoints})",
        Recursive = true,
    };

    public Option<string?> Timeout { get; } = new("--timeout")
    {
        Description = "The whole budget of the request, retries included: 500ms, 5s, 2m (default 10s)",
        Recursive = true,
    };

    /// <summary>Client options from the parsed command line and the environment, or the usage error.</summary>
    public bool TryCreate(ParseResult parse, CliContext context, out MultiRaftClientOptions options, out string error)
    {
        options = new MultiRaftClientOptions();
        var endpointsText = parse.GetValue(Endpoints) ?? context.GetEnvironmentVariable(CliContext.EndpointsVariable);
        if (string.IsNullOrWhiteSpace(endpointsText))
        {
            endpointsText = DefaultEndpoints;
        }

        if (!EndpointList.TryParse(endpointsText, out var endpoints, out error))
        {
            error = "--endpoints: " + error;
            return false;
        }

        foreach (var endpoint in endpoints)
        {
            options.Endpoints.Add(endpoint);
        }

        var timeoutText = parse.GetValue(Timeout);
        if (timeoutText is not null)
        {
            if (!Durations.TryParse(timeoutText, out var timeout))
            {
                error = $"--timeout: '{timeoutText}' is not a duration such as 500ms, 5s or 2m";
                return false;
            }

            options.RequestTimeout = timeout;
        }

        return true;
    }
}
