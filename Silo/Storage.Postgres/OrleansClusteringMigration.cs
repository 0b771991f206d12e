namespace MultiRaft.Storage.Postgres;

/// <summary>
/// Migration 2: the tables Orleans' ADO.NET clustering provider (invariant "Npgsql") needs, and
/// its statements (<see cref="OrleansClusteringQueries"/>). Released steps are never edited.
/// </summary>
internal static class OrleansClusteringMigration
{
    public const string Description = "Orleans ADO.NET clustering: orleansquery, membership version and membership tables";

    // The provider reads its statements with one fixed, unqualified query,
    // SELECT QueryKey, QueryText FROM OrleansQuery; unquoted, PostgreSQL folds those names to
    // lower case, so the table and its columns must be spelled exactly so. It lives in this
    // schema rather than in public so that schemas (a deployment's, each test's) never share
    // statements: the connection reaches it through its search path (PostgresClustering).
    // Other Orleans ADO.NET providers (persistence, reminders) read the same table and add
    // their own keys in later migrations.
    //
    // One version row per cluster (the provider's DeploymentId is the ClusterId); the version
    // is the only etag, integer because the provider parses it as an Int32. Member rows are
    // keyed by silo address (address, port, generation), as the provider addresses them.
    public static string Sql(string s) => $"""
        CREATE TABLE {s}.orleansquery (
            querykey text PRIMARY KEY,
            querytext text NOT NULL
        );
        CREATE TABLE {s}.orleans_membership_version (
            cluster_id text PRIMARY KEY,
            version integer NOT NULL DEFAULT 0,
            changed_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE {s}.orleans_membership (
            cluster_id text NOT NULL REFERENCES {s}.orleans_membership_version (cluster_id) ON DELETE CASCADE,
            address text NOT NULL,
            port integer NOT NULL,
            generation integer NOT NULL,
            silo_name text NOT NULL,
            host_name text NOT NULL,
            status integer NOT NULL,
            proxy_port integer NOT NULL,
            suspect_times text,
            start_time timestamptz NOT NULL,
            i_am_alive_time timestamptz NOT NULL,
            PRIMARY KEY (cluster_id, address, port, generation)
        );
        {QueryRows(s)}
        """;

    // Dollar-quoted so that the statements need no escaping; the tag appears in none of them.
    private const string Quote = "$orleans$";

    private static string QueryRows(string s) =>
        $"INSERT INTO {s}.orleansquery (querykey, querytext) VALUES\n" +
        string.Join(",\n", OrleansClusteringQueries.For(s).Select(q =>
            q.Text.Contains(Quote, StringComparison.Ordinal)
                ? throw new InvalidOperationException($"query {q.Key} contains the quoting tag {Quote}")
                : $"('{q.Key}', {Quote}{q.Text}{Quote})")) +
        ";";
}
