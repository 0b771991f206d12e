namespace MultiRaft.Linearizability;

/// <summary>
/// The (linearized set, state) pairs already explored. Reaching one again cannot lead anywhere
/// new, which is what keeps the search from being factorial in the number of concurrent operations.
/// </summary>
internal sealed class VisitedCache<TState>
    where TState : IEquatable<TState>
{
    private readonly Dictionary<int, List<(ulong[] Set, TState State)>> _buckets = [];

    public int Count { get; private set; }

    /// <summary>Adds the pair; false if it was there already.</summary>
    public bool Add(LinearizedSet set, TState state)
    {
        var hash = HashCode.Combine(set.Hash, state.GetHashCode());
        if (!_buckets.TryGetValue(hash, out var bucket))
        {
            bucket = [];
            _buckets.Add(hash, bucket);
        }

        foreach (var (seenSet, seenState) in bucket)
        {
            if (seenState.Equals(state) && set.SameAs(seenSet))
                return false;
        }

        bucket.Add((set.Snapshot(), state));
        Count++;
        return true;
    }
}
