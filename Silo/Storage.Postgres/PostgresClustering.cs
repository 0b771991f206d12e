using Npgsql;

namespace MultiRaft.Storage.Postgres;

/// <summary>
/// How silos and clients point Orleans' ADO.NET clustering at a schema that
/// <see cref="PostgresSchema.MigrateAsync(string, string, CancellationToken)"/> has migrated:
/// <code>
/// await PostgresSchema.MigrateAsync(pg, schema, ct);   // before the silo's host starts
/// silo.UseAdoNetClustering(o =>
/// {
///     o.Invariant = PostgresClustering.Invariant;
///     o.ConnectionString = PostgresClustering.ConnectionString(pg, schema);
/// });
/// </code>
/// and the same two options in a client's <c>UseAdoNetClustering</c> (its gateway list reads
/// the same tables). Orleans creates no tables: a silo started on an unmigrated schema fails
/// to start, naming the missing <c>orleansquery</c>.
/// </summary>
public static class PostgresClustering
{
    /// <summary>The ADO.NET invariant under which Orleans loads Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// <paramref name="connectionString"/> with its search path set to <paramref name="schema"/>
    /// alone (any search path it had is replaced).
    /// </summary>
    /// <remarks>
    /// The provider loads its statements with an unqualified <c>SELECT ... FROM OrleansQuery</c>,
    /// which PostgreSQL resolves through the search path; the statements it loads name their
    /// tables with the schema, so nothing else depends on the path. Setting it to the schema
    /// alone means a table of the same name elsewhere (in <c>public</c>, say) can never answer.
    /// </remarks>
    /// <exception cref="ArgumentException">The connection string is empty or malformed, or the schema name is not a plain identifier.</exception>
    public static string ConnectionString(string connectionString, string schema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        PostgresSchema.CheckName(schema);
        return new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
    }
}
