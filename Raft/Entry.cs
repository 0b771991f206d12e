namespace MultiRaft.Raft;

/// <summary>What an entry's payload means to the replicated state machine.</summary>
public enum EntryType : byte
{
    /// <summary>An application command (or an empty entry a new leader appends).</summary>
    Normal = 0,

    /// <summary>An encoded <see cref="ConfChange"/>; the application applies it with <see cref="RawNode.ApplyConfChange"/>.</summary>
    ConfChange = 1,
}

/// <summary>One log entry. Immutable; its payload is never copied by the core.</summary>
public readonly struct Entry : IEquatable<Entry>
{
    /// <summary>Bytes counted per entry, beyond its payload, against message and inflight size limits.</summary>
    public const int Overhead = 24;

    /// <summary>Creates an entry.</summary>
    public Entry(ulong term, ulong index, EntryType type, ReadOnlyMemory<byte> data)
    {
        Term = term;
        Index = index;
        Type = type;
        Data = data;
    }

    /// <summary>Creates a normal entry.</summary>
    public Entry(ulong term, ulong index, ReadOnlyMemory<byte> data)
        : this(term, index, EntryType.Normal, data)
    {
    }

    /// <summary>The term of the leader that created the entry.</summary>
    public ulong Term { get; }

    /// <summary>The entry's position in the log, from 1.</summary>
    public ulong Index { get; }

    /// <summary>How to interpret <see cref="Data"/>.</summary>
    public EntryType Type { get; }

    /// <summary>The payload.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Size counted against message and inflight limits.</summary>
    public long Size => Data.Length + Overhead;

    /// <summary>The same entry placed at another term and index (proposals are stamped on append).</summary>
    public Entry WithPosition(ulong term, ulong index) => new(term, index, Type, Data);

    /// <inheritdoc />
    public bool Equals(Entry other) =>
        Term == other.Term && Index == other.Index && Type == other.Type && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Entry e && Equals(e);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Term, Index, Type, Data.Length);

    /// <inheritdoc />
    public override string ToString() => $"{Term}/{Index} {Type} ({Data.Length} B)";

    /// <summary>Equality of two entries.</summary>
    public static bool operator ==(Entry left, Entry right) => left.Equals(right);

    /// <summary>Inequality of two entries.</summary>
    public static bool operator !=(Entry left, Entry right) => !left.Equals(right);
}
