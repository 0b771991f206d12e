using System.CommandLine;
using MultiRaft.Client;

namespace MultiRaft.Cli;

/// <summary><c>--endpoints</c>, <c>--cluster-id</c>, <c>--service-id</c> and <c>--timeout</c>, valid on every command, and the connection they make.</summary>
internal sealed class GlobalOptions
{
    /// <summary>Where the tool looks when neither the option nor the environment names a gateway.</summary>
    public const string DefaultEndpoints = "127.0.0.1:30000";

    public Option<string?> Endpoints { get; } = new("--endpoints")
    {
        Description = $"Orleans gateways of any silos as host:port,... (default: ${CliContext.EndpointsVariable} or {DefaultEndpoints})",
        Recursive = true,
    };

    /// <summary>The cluster id when neither the option nor the environment names one (the silo's default).</summary>
    public const string DefaultClusterId = "multiraft-dev";

    /// <summary>The service id when the option does not name one (the silo's default).</summary>
    public const string DefaultServiceId = "multiraft";

    public Option<string?> ClusterId { get; } = new("--cluster-id")
    {
        Description = $"The Orleans cluster id (default: ${CliContext.ClusterIdVariable} or {DefaultClusterId})",
        Recursive = true,
    };

    public Option<string?> ServiceId { get; } = new("--service-id")
    {
        Description = $"The Orleans service id (default: {DefaultServiceId})",
        Recursive = true,
    };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "An Npgsql connection string: find the gateways in the cluster's PostgreSQL membership table (the silos' --clustering postgres) instead of --endpoints",
        Recursive = true,
    };

    public Option<string?> PostgresSchema { get; } = new("--postgres-schema")
    {
        Description = "The schema of that membership table (default multiraft, as the silos')",
        Recursive = true,
    };

    public Option<string?> Timeout { get; } = new("--timeout")
    {
        Description = "The whole budget of the request, retries included: 500ms, 5s, 2m (default 10s)",
        Recursive = true,
    };

    /// <summary>The connection from the parsed command line and the environment, or the usage error.</summary>
    public bool TryCreate(ParseResult parse, CliContext context, out CliConnection connection, out string error)
    {
        connection = null!;
        var options = new MultiRaftClientOptions();
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

        var clusterId = parse.GetValue(ClusterId) ?? context.GetEnvironmentVariable(CliContext.ClusterIdVariable);
        clusterId = string.IsNullOrWhiteSpace(clusterId) ? DefaultClusterId : clusterId;
        var serviceId = parse.GetValue(ServiceId);
        serviceId = string.IsNullOrWhiteSpace(serviceId) ? DefaultServiceId : serviceId;

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

        var postgres = parse.GetValue(Postgres);
        if (postgres is not null && parse.GetResult(Endpoints) is not null)
        {
            error = "--postgres and --endpoints cannot be combined: the gateways come from one or the other";
            return false;
        }

        if (postgres is not null)
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(postgres);
            }
            catch (ArgumentException ex)
            {
                error = "--postgres: not an Npgsql connection string: " + ex.Message;
                return false;
            }
        }

        var schema = parse.GetValue(PostgresSchema);
        if (schema is not null && !System.Text.RegularExpressions.Regex.IsMatch(schema, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            error = $"--postgres-schema: '{schema}' is not a plain lower-case identifier";
            return false;
        }

        connection = new CliConnection(endpoints, clusterId, serviceId, options)
        {
            Postgres = string.IsNullOrWhiteSpace(postgres) ? null : postgres,
            PostgresSchema = schema ?? "multiraft",
        };
        return true;
    }
}
