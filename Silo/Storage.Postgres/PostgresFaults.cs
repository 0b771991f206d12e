using Npgsql;

namespace MultiRaft.Storage.Postgres;

/// <summary>
/// Turns any failure into the <see cref="StorageFaultException"/> that stops the provider, with
/// a message an operator can act on: which server, database, schema and silo, what was being
/// done, and the underlying cause (often nested: Npgsql's "failed to connect" wraps the socket's
/// "connection refused").
/// </summary>
internal sealed class PostgresFaults
{
    private readonly string _where;

    public PostgresFaults(NpgsqlConnectionStringBuilder connection, string schema, string silo)
    {
        var database = string.IsNullOrEmpty(connection.Database) ? "(default database)" : connection.Database;
        _where = $"PostgreSQL storage at {connection.Host}:{connection.Port}/{database} (schema {schema}, silo {silo})";
    }

    public StorageFaultException Wrap(string doing, Exception e) => e switch
    {
        StorageCorruptionException c => c, // already names the table and replica; callers may catch it by type
        StorageFaultException f => new StorageFaultException($"{_where}: {f.Message}", f),
        _ => new StorageFaultException($"{_where}: {doing} failed, the provider has stopped: {Causes(e)}", e),
    };

    private static string Causes(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (!parts.Contains(x.Message))
            {
                parts.Add(x.Message);
            }
        }

        return string.Join(" <- ", parts);
    }
}
