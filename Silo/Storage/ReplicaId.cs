using System.Globalization;

namespace MultiRaft.Storage;

/// <summary>
/// A replica's identity, as in the grain key <c>replica/{Shard}.{Replica}</c>. Replica ids are
/// never reused, so a deleted replica's records can never be mistaken for a new one's.
/// </summary>
public readonly record struct ReplicaId(ulong Shard, ulong Replica) : IComparable<ReplicaId>
{
    /// <inheritdoc />
    public int CompareTo(ReplicaId other)
    {
        var c = Shard.CompareTo(other.Shard);
        return c != 0 ? c : Replica.CompareTo(other.Replica);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"replica/{Shard}.{Replica}");
}
