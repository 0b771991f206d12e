namespace MultiRaft.Client;

/// <summary>How fresh a read must be.</summary>
public enum ReadConsistency
{
    /// <summary>Linearizable: confirmed by the shard's leader through ReadIndex.</summary>
    Linearizable,

    /// <summary>Served by any replica from its local state: may be stale.</summary>
    Stale,
}
