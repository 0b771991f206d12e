namespace MultiRaft.Grains.Kv;

/// <summary>How a command ended. The numeric values are part of the wire and snapshot formats.</summary>
public enum KvStatus : byte
{
    /// <summary>Applied; the result's version is the key's new version (the removed version for deletes, the client id for an opened session).</summary>
    Ok = 1,

    /// <summary>An unconditional delete found no key.</summary>
    NotFound = 2,

    /// <summary>The precondition did not hold; the result's version is the key's current version (0 when absent).</summary>
    PreconditionFailed = 3,

    /// <summary>The sequence is older than the session's last applied one, whose result is the only one kept: the outcome is unknown to the client.</summary>
    StaleRequest = 4,

    /// <summary>The client's session is unknown or expired, so the command was not applied: a retry might otherwise apply twice.</summary>
    SessionExpired = 5,

    /// <summary>
    /// The key is outside the shard's range since a split moved it to another shard: nothing was
    /// applied (the session is not touched either). Routing is stale: refresh it and retry.
    /// </summary>
    WrongShard = 6,
}
