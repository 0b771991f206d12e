namespace MultiRaft.Client;

/// <summary>What a write must find, and how it is de-duplicated.</summary>
public readonly record struct WriteOptions
{
    /// <summary>Apply only if the key's version equals this (If-Match); null = no version condition.</summary>
    public ulong? IfVersion { get; init; }

    /// <summary>Apply only if the key does not exist (If-None-Match: *); puts only.</summary>
    public bool IfAbsent { get; init; }

    /// <summary>
    /// A caller's token (HTTP <c>Idempotency-Key</c>): a second write with the same token, through
    /// the same client, reuses the first's session and sequence, so it applies at most once.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}
