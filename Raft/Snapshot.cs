namespace MultiRaft.Raft;

/// <summary>
/// A state machine image as of <see cref="Index"/> (whose entry had <see cref="Term"/>), with the
/// membership in force at that index. The core never looks inside <see cref="Data"/>.
/// </summary>
public sealed class Snapshot
{
    /// <summary>No snapshot.</summary>
    public static readonly Snapshot Empty = new(0, 0, ConfState.Empty, ReadOnlyMemory<byte>.Empty);

    /// <summary>Creates a snapshot.</summary>
    public Snapshot(ulong index, ulong term, ConfState confState, ReadOnlyMemory<byte> data)
    {
        Index = index;
        Term = term;
        ConfState = confState;
        Data = data;
    }

    /// <summary>The last log index the image includes.</summary>
    public ulong Index { get; }

    /// <summary>The term of the entry at <see cref="Index"/>.</summary>
    public ulong Term { get; }

    /// <summary>The membership as of <see cref="Index"/>.</summary>
    public ConfState ConfState { get; }

    /// <summary>The application's image.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>True for the snapshot of nothing.</summary>
    public bool IsEmpty => Index == 0;

    /// <inheritdoc />
    public override string ToString() => $"snapshot {Term}/{Index} {ConfState} ({Data.Length} B)";
}
