using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace MultiRaft.Silo.Hosting;

/// <summary>Checks the settings at start, naming every bad one and its flag.</summary>
public sealed partial class SiloOptionsValidator : IValidateOptions<SiloOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!SiloIdPattern().IsMatch(options.SiloId))
        {
            errors.Add($"SiloId (--silo-id) must be 1-64 letters, digits, '.', '_' or '-'; got '{options.SiloId}'");
        }

        foreach (var (flag, port) in new[] { ("--silo-port", options.SiloPort), ("--gateway-port", options.GatewayPort), ("--http-port", options.HttpPort) })
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"{flag} must be in 1..65535; got {port}");
            }
        }

        if (options.SiloPort == options.GatewayPort || options.SiloPort == options.HttpPort || options.GatewayPort == options.HttpPort)
        {
            errors.Add($"the silo, gateway and HTTP ports must differ; got {options.SiloPort}, {options.GatewayPort}, {options.HttpPort}");
        }

        if (!IPAddress.TryParse(options.Listen, out _))
        {
            errors.Add($"Listen (--listen) must be an IP address; got '{options.Listen}'");
        }

        switch (options.Storage)
        {
            case "file" when string.IsNullOrWhiteSpace(options.DataDirectory):
                errors.Add("DataDirectory (--data-dir) is required for file storage");
                break;
            case "file":
                break;
            case "postgres" when string.IsNullOrWhiteSpace(options.PostgresConnectionString):
                errors.Add("PostgresConnectionString (--postgres) is required for postgres storage");
                break;
            case "postgres":
                break;
            default:
                errors.Add($"Storage (--storage) must be 'file' or 'postgres'; got '{options.Storage}'");
                break;
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            errors.Add("ClusterId (--cluster-id) must not be empty");
        }

        switch (options.Clustering)
        {
            case "localhost" when options.Join.Length > 0 && !IPEndPoint.TryParse(options.Join, out _):
                errors.Add($"Join (--join) must be the first silo's silo endpoint, ip:port; got '{options.Join}'");
                break;
            case "localhost" when options.Bootstrap && options.Join.Length > 0:
                errors.Add("Bootstrap (--bootstrap) is for the first silo; a silo with --join joins the existing cluster");
                break;
            case "localhost":
                break;
            case "postgres" when string.IsNullOrWhiteSpace(options.PostgresConnectionString):
                errors.Add("PostgresConnectionString (--postgres) is required for postgres clustering");
                break;
            case "postgres" when options.Join.Length > 0:
                errors.Add("Join (--join) is for localhost clustering; postgres clustering finds silos in the database");
                break;
            case "postgres":
                break;
            default:
                errors.Add($"Clustering (--clustering) must be 'localhost' or 'postgres'; got '{options.Clustering}'");
                break;
        }

        if (string.IsNullOrWhiteSpace(options.Host) || options.Host.Contains(':', StringComparison.Ordinal) && !IPAddress.TryParse(options.Host, out _))
        {
            errors.Add($"Host (--host) must be the IP address or host name other silos reach this one at; got '{options.Host}'");
        }

        // Issue 15 runs 10,000 shards per cluster; the bound only catches typos.
        Range(errors, "InitialShards (--shards)", options.InitialShards, 1, 100_000);
        Range(errors, "TickMs", options.TickMs, 1, 10_000);
        Range(errors, "ElectionTicks", options.ElectionTicks, 3, 1000);
        Range(errors, "QuiesceTicks", options.QuiesceTicks, 0, 100_000);
        Range(errors, "Workers", options.Workers, 0, 256);
        Range(errors, "SnapshotEntries", options.SnapshotEntries, 10, int.MaxValue);
        Range(errors, "SnapshotKeepEntries", options.SnapshotKeepEntries, 0, int.MaxValue);
        Range(errors, "MaxKeyBytes", options.MaxKeyBytes, 1, 1 << 20);
        Range(errors, "MaxValueBytes", options.MaxValueBytes, 0, 8 << 20);
        Range(errors, "RequestTimeoutMs", options.RequestTimeoutMs, 10, 600_000);
        Range(errors, "HeartbeatIntervalMs", options.HeartbeatIntervalMs, 10, 600_000);
        Range(errors, "DownTimeMs", options.DownTimeMs, 1000, 86_400_000);
        Range(errors, "MaxMovesPerSilo", options.MaxMovesPerSilo, 1, 64);
        Range(errors, "SnapshotChunkBytes", options.SnapshotChunkBytes, 1024, 64 << 20);
        if (options.SnapshotBytesPerSecond != 0 && options.SnapshotBytesPerSecond < options.SnapshotChunkBytes)
        {
            errors.Add($"SnapshotBytesPerSecond ({options.SnapshotBytesPerSecond}) must be 0 (unpaced) or at least SnapshotChunkBytes ({options.SnapshotChunkBytes})");
        }
        if (options.SplitKeys < 0 || options.SplitBytes < 0)
        {
            errors.Add($"SplitKeys ({options.SplitKeys}) and SplitBytes ({options.SplitBytes}) must be 0 (never split) or positive");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Whether <paramref name="siloId"/> is a valid silo name.</summary>
    public static bool IsValidSiloId(string siloId) => SiloIdPattern().IsMatch(siloId ?? "");

    private static void Range(List<string> errors, string what, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{what} must be in {min}..{max}; got {value}");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SiloIdPattern();
}
