namespace MultiRaft.Storage.Postgres;

/// <summary>
/// The statements Orleans' ADO.NET clustering provider runs, keyed as it looks them up in
/// <c>orleansquery</c>; part of migration 2 (see <see cref="OrleansClusteringMigration"/>), so
/// never edited once released: a changed statement is a later migration that updates its row.
///
/// The provider's side of the contract (Microsoft.Orleans.Clustering.AdoNet 10.4.2): it binds
/// parameters by name (<c>@DeploymentId</c> is the cluster id; <c>@Address</c> text,
/// <c>@Port</c>, <c>@Generation</c>, <c>@Status</c>, <c>@ProxyPort</c> int; <c>@StartTime</c>,
/// <c>@IAmAliveTime</c> UTC DateTime, sent by Npgsql as timestamptz; <c>@SuspectTimes</c> text
/// or null; <c>@Version</c> int, the table version it read), binds every parameter of an
/// operation whether the statement uses it or not, and reads result columns by name (Npgsql
/// matches names case-insensitively; they are quoted here in the provider's spelling anyway).
/// A conditional write answers one row of one column, non-zero when it took effect.
///
/// Every table is schema-qualified, so the statements do not depend on the connection's
/// search path; only the provider's own query-table read does (see <see cref="PostgresClustering"/>).
/// </summary>
internal static class OrleansClusteringQueries
{
    // The columns of a membership read, in the provider's names: the table version of the
    // cluster row, then the member columns (all null when the cluster has no matching member;
    // the provider tells a member row by a non-null StartTime).
    private static string MembershipColumns => """
        v.version AS "Version",
            m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
            m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status",
            m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
            m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
        """;

    // A conditional write first locks the cluster's version row, and only if it still holds
    // the version the caller read (@Version): concurrent writers queue on that lock, and one
    // that finds the version moved on when it gets the lock matches nothing. The member row is
    // then written, and the version bumped only if it was: the write and the bump take effect
    // together or not at all, in one statement, as IMembershipTable requires. Nothing here
    // depends on PL/pgSQL or on the server's assertion setting.
    private static string LockVersion(string s) => $"""
        WITH locked AS MATERIALIZED (
            SELECT cluster_id FROM {s}.orleans_membership_version
            WHERE cluster_id = @DeploymentId AND version = @Version
            FOR UPDATE
        )
        """;

    private static string BumpVersionAfter(string s, string written) => $"""
        , bumped AS (
            UPDATE {s}.orleans_membership_version v
            SET version = v.version + 1, changed_at = now()
            FROM {written} w
            WHERE v.cluster_id = w.cluster_id
            RETURNING 1
        )
        SELECT count(*)::integer FROM bumped
        """;

    // SiloStatus.Dead; the bulk clean-up leaves every other status alone.
    private const int Dead = 6;

    /// <summary>Every query key the provider reads, with its statement for <paramref name="s"/>.</summary>
    public static IReadOnlyList<(string Key, string Text)> For(string s) =>
    [
        // Run by every silo at start: creates the cluster's version row once; answers 1 if
        // this call created it.
        ("InsertMembershipVersionKey", $"""
            WITH created AS (
                INSERT INTO {s}.orleans_membership_version (cluster_id) VALUES (@DeploymentId)
                ON CONFLICT (cluster_id) DO NOTHING
                RETURNING cluster_id
            )
            SELECT count(*)::integer FROM created
            """),

        // One statement, so the member row and the version come from one snapshot. The
        // cluster row is always returned (left join): the provider takes the version from the
        // first row and fails if there is none.
        ("MembershipReadRowKey", $"""
            SELECT {MembershipColumns}
            FROM {s}.orleans_membership_version v
            LEFT JOIN {s}.orleans_membership m
                ON m.cluster_id = v.cluster_id
                AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
            WHERE v.cluster_id = @DeploymentId
            """),

        ("MembershipReadAllKey", $"""
            SELECT {MembershipColumns}
            FROM {s}.orleans_membership_version v
            LEFT JOIN {s}.orleans_membership m ON m.cluster_id = v.cluster_id
            WHERE v.cluster_id = @DeploymentId
            """),

        // A silo joining: inserted only at the version read, and only if its row is new.
        ("InsertMembershipKey", LockVersion(s) + $"""
            , inserted AS (
                INSERT INTO {s}.orleans_membership (cluster_id, address, port, generation, silo_name,
                    host_name, status, proxy_port, start_time, i_am_alive_time)
                SELECT cluster_id, @Address, @Port, @Generation, @SiloName,
                    @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
                FROM locked
                ON CONFLICT DO NOTHING
                RETURNING cluster_id
            )
            """ + BumpVersionAfter(s, "inserted")),

        // A status change or suspicion vote: only at the version read, only if the row exists.
        // The row is matched by its key alone; the whole table's version is the only etag.
        ("UpdateMembershipKey", LockVersion(s) + $"""
            , updated AS (
                UPDATE {s}.orleans_membership m
                SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
                FROM locked l
                WHERE m.cluster_id = l.cluster_id
                    AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
                RETURNING m.cluster_id
            )
            """ + BumpVersionAfter(s, "updated")),

        // The heartbeat: a blind write of one column by key, leaving the version alone (a
        // heartbeat must not fail a concurrent conditional write).
        ("UpdateIAmAlivetimeKey", $"""
            UPDATE {s}.orleans_membership SET i_am_alive_time = @IAmAliveTime
            WHERE cluster_id = @DeploymentId
                AND address = @Address AND port = @Port AND generation = @Generation
            """),

        // The member rows go with the version row (ON DELETE CASCADE).
        ("DeleteMembershipTableEntriesKey", $"""
            DELETE FROM {s}.orleans_membership_version WHERE cluster_id = @DeploymentId
            """),

        // Used by clients (and silos' gateway lists): the gateways of active silos.
        ("GatewaysQueryKey", $"""
            SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
            FROM {s}.orleans_membership
            WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
            """),

        // Required, but 10.4.2 runs it only when CleanupDefunctSiloEntryKey is missing: removes
        // dead rows whose start and last heartbeat are both older than the cut-off
        // (@IAmAliveTime). A row with suspicion votes is kept, as their times cannot be
        // compared here; the per-row statement below handles those.
        ("CleanupDefunctSiloEntriesKey", $"""
            DELETE FROM {s}.orleans_membership
            WHERE cluster_id = @DeploymentId AND status = {Dead}
                AND i_am_alive_time < @IAmAliveTime AND start_time < @IAmAliveTime
                AND coalesce(suspect_times, '') = ''
            """),

        // Optional: the provider reads all rows, picks the dead ones it judges defunct, and
        // deletes each only if it is still exactly as read (status, times, votes), so a row
        // changed meanwhile survives. A null and an empty vote list are the same list.
        ("CleanupDefunctSiloEntryKey", $"""
            DELETE FROM {s}.orleans_membership
            WHERE cluster_id = @DeploymentId
                AND address = @Address AND port = @Port AND generation = @Generation
                AND status = {Dead}
                AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
                AND coalesce(suspect_times, '') = coalesce(@SuspectTimes, '')
            """),
    ];
}
