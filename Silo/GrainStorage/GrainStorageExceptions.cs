using Orleans.Runtime;

namespace MultiRaft.GrainStorage;

/// <summary>
/// A <c>WriteStateAsync</c> or <c>ClearStateAsync</c> was sent to the store, but whether it took
/// effect could not be learnt within the request deadline (a silo died, the shard was electing a
/// leader, the call was lost). It took effect once, or not at all (it may still take effect
/// later); never twice. The grain's state, ETag and <c>RecordExists</c> are left as they were.
/// </summary>
/// <remarks>
/// <para>Retrying the same call is safe. Every write the provider makes is conditional: on the
/// ETag the grain holds (the key's version), or, for a first write, on the key being absent; and
/// a clear is a delete on that ETag. A version is the Raft log index of the write that made it,
/// never reused, not even after a delete. So of the first attempt and its retry at most one can
/// take effect, and neither can overwrite or delete a write the grain has not seen: a retry
/// either does what the first attempt would have done, or throws
/// <see cref="Orleans.Storage.InconsistentStateException"/>, as any conflict does. After that,
/// <c>ReadStateAsync</c> shows which state won (the grain's own, if its first attempt applied).</para>
/// <para>One case is weaker: a first write (no ETag) is create-only, and "absent" can hold again
/// after a clear. If a first write's attempt were delayed past its deadline, its retry applied and
/// the grain then cleared its state, the delayed attempt could still re-create it with that state.</para>
/// </remarks>
[GenerateSerializer]
public sealed class GrainStateOutcomeUnknownException : OrleansException
{
    /// <summary>Creates the exception.</summary>
    public GrainStateOutcomeUnknownException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The serialized grain state is larger than the provider's
/// <see cref="MultiRaftGrainStorageOptions.MaxStateBytes"/> (by default the store's 1 MiB value
/// limit). Nothing was written; the grain's state, ETag and <c>RecordExists</c> are as they were.
/// </summary>
[GenerateSerializer]
public sealed class GrainStateTooLargeException : OrleansException
{
    /// <summary>Creates the exception.</summary>
    public GrainStateTooLargeException(string message, int stateBytes, int maxStateBytes)
        : base(message)
    {
        StateBytes = stateBytes;
        MaxStateBytes = maxStateBytes;
    }

    /// <summary>The serialized state's size.</summary>
    [Id(0)]
    public int StateBytes { get; }

    /// <summary>The provider's limit.</summary>
    [Id(1)]
    public int MaxStateBytes { get; }
}
