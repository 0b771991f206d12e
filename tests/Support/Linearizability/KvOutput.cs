namespace MultiRaft.Linearizability;

/// <summary>
/// The answer half of a key-value operation. <see cref="Success"/> means, per kind: Get — the key
/// was found; Put — always true; Delete — the key existed; CompareAndSet and Create — the write
/// was applied (false: the precondition did not hold, a definite answer, not a failure).
/// </summary>
/// <param name="Success">See the type's summary.</param>
/// <param name="Value">The value a successful Get returned; null otherwise.</param>
/// <param name="Version">
/// The version a successful Get returned, or the new version a successful write produced; 0 otherwise.
/// </param>
public readonly record struct KvOutput(bool Success, string? Value, long Version)
{
    /// <summary>A Get that found nothing, a Delete of an absent key, or a rejected conditional write.</summary>
    public static KvOutput NotFound { get; } = new(false, null, 0);

    /// <summary>A conditional write whose precondition did not hold.</summary>
    public static KvOutput Rejected { get; } = new(false, null, 0);

    /// <summary>A Delete that removed an existing key.</summary>
    public static KvOutput Deleted { get; } = new(true, null, 0);

    /// <summary>A Get that found <paramref name="value"/> at <paramref name="version"/>.</summary>
    public static KvOutput Found(string value, long version) => new(true, value, version);

    /// <summary>A write that was applied and produced <paramref name="version"/>.</summary>
    public static KvOutput Written(long version) => new(true, null, version);
}
