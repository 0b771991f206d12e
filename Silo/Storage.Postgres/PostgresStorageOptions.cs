using System.Text.RegularExpressions;

namespace MultiRaft.Storage.Postgres;

/// <summary>
/// Where and as whom a silo keeps its Raft state in PostgreSQL. Several silos may share one
/// database and one schema: every row is keyed by the silo, so each silo recovers only its
/// own replicas, and a silo restarted elsewhere with the same <see cref="SiloId"/> recovers
/// them all.
/// </summary>
public sealed partial class PostgresStorageOptions
{
    /// <summary>The default size of one snapshot chunk row: large enough to keep rows few, small enough to stream.</summary>
    public const int DefaultSnapshotChunkSize = 1 << 20;

    /// <summary>An Npgsql connection string (host, port, database, user, password).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema that holds the tables; created and migrated at start.</summary>
    public string Schema { get; set; } = "multiraft";

    /// <summary>The silo whose replicas these are; stable across restarts of that silo.</summary>
    public string SiloId { get; set; } = "";

    /// <summary>Bytes of snapshot data per chunk row.</summary>
    public int SnapshotChunkSize { get; set; } = DefaultSnapshotChunkSize;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("PostgreSQL storage needs a connection string", nameof(ConnectionString));
        }

        // The schema name is spliced into SQL text (identifiers cannot be parameters), so only
        // plain lower-case identifiers are accepted: nothing to quote, nothing to inject.
        if (!SchemaName().IsMatch(Schema))
        {
            throw new ArgumentException(
                $"schema '{Schema}' must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)", nameof(Schema));
        }

        if (string.IsNullOrWhiteSpace(SiloId) || SiloId.Length > 200)
        {
            throw new ArgumentException("PostgreSQL storage needs a silo id of 1 to 200 characters", nameof(SiloId));
        }

        // bytea values are limited to 1 GiB; far below that, one chunk still fits in memory comfortably.
        if (SnapshotChunkSize is < 1 or > 256 << 20)
        {
            throw new ArgumentException($"snapshot chunk size {SnapshotChunkSize} must be within 1 B .. 256 MiB", nameof(SnapshotChunkSize));
        }
    }

    /// <summary>The schema names accepted here and by <see cref="PostgresSchema.MigrateAsync(string, string, CancellationToken)"/>.</summary>
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    internal static partial Regex SchemaName();
}
