namespace MultiRaft.Grains.Kv;

/// <summary>The outcome of one applied command.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Version">Meaning depends on <paramref name="Status"/>; 0 when there is none.</param>
public readonly record struct KvResult(KvStatus Status, ulong Version)
{
    /// <summary>Applied, producing or removing <paramref name="version"/>.</summary>
    public static KvResult Ok(ulong version) => new(KvStatus.Ok, version);

    /// <summary>The key was absent.</summary>
    public static KvResult NotFound => new(KvStatus.NotFound, 0);

    /// <summary>The precondition failed against <paramref name="currentVersion"/> (0 when absent).</summary>
    public static KvResult PreconditionFailed(ulong currentVersion) => new(KvStatus.PreconditionFailed, currentVersion);

    /// <summary>A retry older than the last result the session keeps.</summary>
    public static KvResult StaleRequest => new(KvStatus.StaleRequest, 0);

    /// <summary>The session is unknown or expired; nothing was applied.</summary>
    public static KvResult SessionExpired => new(KvStatus.SessionExpired, 0);

    /// <summary>The key belongs to another shard since a split; nothing was applied.</summary>
    public static KvResult WrongShard => new(KvStatus.WrongShard, 0);
}
