using MultiRaft.Client;
namespace MultiRaft.LoadGen;

/// <summary>Where the Orleans target connects: gateways (static clustering) and the cluster's Orleans identity.</summary>
public sealed record OrleansTargetOptions
{
    /// <summary>Gateways as <c>HOST:PORT</c> (see <see cref="GatewayEndpoint"/>).</summary>
    public IReadOnlyList<string> Gateways { get; init; } = [];

    /// <summary>The Orleans cluster id; the silos' default.</summary>
    public string ClusterId { get; init; } = "multiraft-dev";

    /// <summary>The Orleans service id; the silos' default.</summary>
    public string ServiceId { get; init; } = "multiraft";

    /// <summary>Problems with these options, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Gateways.Count == 0)
        {
            problems.Add("--orleans needs at least one HOST:PORT");
        }

        foreach (var gateway in Gateways)
        {
            if (!GatewayEndpoint.TryParse(gateway, out _, out _))
            {
                problems.Add($"--orleans gateway '{gateway}' is not HOST:PORT (port 1..65535, an IPv6 address in brackets)");
            }
        }

        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            problems.Add("--cluster-id must not be empty");
        }

        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            problems.Add("--service-id must not be empty");
        }

        return problems;
    }
}
