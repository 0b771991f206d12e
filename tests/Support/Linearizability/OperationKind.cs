namespace MultiRaft.Linearizability;

/// <summary>What a client asked the store to do to one key.</summary>
public enum OperationKind
{
    /// <summary>Read the value and version, or learn the key is absent.</summary>
    Get,

    /// <summary>Write unconditionally; the store answers with the new version.</summary>
    Put,

    /// <summary>Remove the key; the store says whether it existed.</summary>
    Delete,

    /// <summary>Write only if the current version equals the expected one.</summary>
    CompareAndSet,

    /// <summary>Write only if the key is absent (create-only, <c>If-None-Match: *</c>).</summary>
    Create,
}
