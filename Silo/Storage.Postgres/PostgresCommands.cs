using Npgsql;

namespace MultiRaft.Storage.Postgres;

/// <summary>Short forms for the one-off statements of start-up and snapshot writes.</summary>
internal static class PostgresCommands
{
    /// <summary>Runs <paramref name="sql"/> with positional parameters <c>$1, $2, ...</c>.</summary>
    public static async Task<int> ExecuteAsync(this NpgsqlConnection connection, string sql, CancellationToken ct,
        params object[] args)
    {
        var cmd = Command(connection, sql, args);
        await using var cmdScope = cmd.ConfigureAwait(false);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="sql"/> and returns the first column of the first row.</summary>
    public static async Task<T> ScalarAsync<T>(this NpgsqlConnection connection, string sql, CancellationToken ct,
        params object[] args)
    {
        var cmd = Command(connection, sql, args);
        await using var cmdScope = cmd.ConfigureAwait(false);
        var value = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return (T)value!;
    }

    /// <summary>A command with positional parameters (Npgsql sends them as <c>$n</c> unrewritten).</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] args)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }

        return cmd;
    }
}
