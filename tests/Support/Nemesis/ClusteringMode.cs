namespace MultiRaft.Nemesis;

/// <summary>How the harness's silos find each other (the silos' <c>--clustering</c>).</summary>
public enum ClusteringMode
{
    /// <summary>
    /// Orleans development clustering: the first silo (s1) holds the membership table in memory
    /// and every other silo joins with <c>--join</c> naming its silo endpoint. s1 is a single point
    /// of failure for membership, so kills, pauses and partitions spare it.
    /// </summary>
    Localhost,

    /// <summary>
    /// Orleans ADO.NET clustering on PostgreSQL (<c>--clustering postgres --postgres CONN</c>; the
    /// first silo gets <c>--bootstrap true</c>): membership outlives every silo, so any silo may be
    /// a fault's target.
    /// </summary>
    Postgres,
}
