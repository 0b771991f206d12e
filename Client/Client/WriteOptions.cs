using MultiRaft.Grains.Interfaces.Protos;

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

    /// <summary>The condition as a gateway request carries it, with the version it expects (0 if none).</summary>
    /// <exception cref="ArgumentException"><see cref="IfAbsent"/> together with <see cref="IfVersion"/>.</exception>
    public (WriteCondition Condition, ulong ExpectedVersion) ToWireCondition()
    {
        if (IfAbsent && IfVersion is not null)
        {
            throw new ArgumentException("IfAbsent and IfVersion exclude each other.", "options");
        }

        return IfAbsent ? (WriteCondition.IfAbsent, 0)
            : IfVersion is { } version ? (WriteCondition.IfVersion, version)
            : (WriteCondition.None, 0);
    }
}
