namespace MultiRaft.Silo.Engine;

/// <summary>
/// The passes that read what changed on the replicas here, each with its own mark per replica:
/// a replica one pass took is still unread by the other.
/// </summary>
[Flags]
internal enum ChangeReader
{
    /// <summary>The maintenance pass (reconciliation, splits).</summary>
    Maintenance = 1,

    /// <summary>The report to the router (leader hints).</summary>
    Report = 2,

    All = Maintenance | Report,
}
