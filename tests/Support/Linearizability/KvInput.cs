namespace MultiRaft.Linearizability;

/// <summary>The request half of a key-value operation.</summary>
/// <param name="Kind">What was asked.</param>
/// <param name="Value">The value written by Put, CompareAndSet and Create; null otherwise.</param>
/// <param name="ExpectedVersion">The version CompareAndSet expects; 0 for other kinds.</param>
public readonly record struct KvInput(OperationKind Kind, string? Value, long ExpectedVersion)
{
    public static KvInput Get() => new(OperationKind.Get, null, 0);

    public static KvInput Put(string value) => new(OperationKind.Put, value, 0);

    public static KvInput Delete() => new(OperationKind.Delete, null, 0);

    public static KvInput CompareAndSet(long expectedVersion, string value) =>
        new(OperationKind.CompareAndSet, value, expectedVersion);

    public static KvInput Create(string value) => new(OperationKind.Create, value, 0);

    /// <summary>Whether the operation can change the state (reads cannot).</summary>
    public bool IsWrite => Kind != OperationKind.Get;

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        OperationKind.Get => "get",
        OperationKind.Put => $"put({Value})",
        OperationKind.Delete => "delete",
        OperationKind.CompareAndSet => $"cas(v{ExpectedVersion}->{Value})",
        OperationKind.Create => $"create({Value})",
        _ => Kind.ToString(),
    };
}
