using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// Which leader hints a silo's router report carries. The router keeps every hint until a newer
/// report of the same shard replaces it, so a report need only carry the shards whose hint in the
/// router's state no longer says what readers of it need: who leads (replica, silo, term), the
/// configuration (moves wait for it), the range version (splits wait for it), and which side of
/// the split thresholds the shard's size is on. Commit and applied indexes, and sizes that cross
/// nothing, are shown to operators only: they travel with the other changes and with the silo's
/// full report every <see cref="FullReportIntervalMs"/>.
/// </summary>
internal static class LeaderReport
{
    /// <summary>How often a silo reports every shard it leads, whatever changed.</summary>
    public const long FullReportIntervalMs = 60_000;

    /// <param name="stored">The router's hint of the shard, from its applied state; null if it has none.</param>
    /// <param name="facts">What the shard's leader on this silo says now.</param>
    /// <param name="siloId">This silo.</param>
    /// <param name="splitKeys">The key count at which the planner splits a shard (0: never).</param>
    /// <param name="splitBytes">The size at which the planner splits a shard (0: never).</param>
    /// <returns>Whether a report should carry a hint built from <paramref name="facts"/>.</returns>
    public static bool Differs(LeaderHint? stored, in LeaderFacts facts, string siloId, long splitKeys, long splitBytes)
    {
        ArgumentNullException.ThrowIfNull(siloId);
        if (stored is null)
        {
            return true;
        }

        if (facts.Term < stored.Term)
        {
            // The router keeps the newer term: reporting the older one again would change nothing,
            // ever (this replica is about to learn it no longer leads).
            return false;
        }

        return stored.Term != facts.Term || stored.ReplicaId != facts.ReplicaId || !string.Equals(stored.SiloId, siloId, StringComparison.Ordinal)
            || !SameMembers(stored.Voters, facts.Conf.Voters) || !SameMembers(stored.Learners, facts.Conf.Learners)
            || stored.RangeVer != facts.RangeVer
            || Crossed(stored.KeyCount, facts.KeyCount, splitKeys) || Crossed(stored.SizeBytes, facts.SizeBytes, splitBytes);
    }

    /// <summary>Whether a hint that differs should be reported at once rather than with the next heartbeat.</summary>
    /// <param name="shardId">The shard whose hint differs.</param>
    // The planner starts the next step of a move or split only when it sees the last one done.
    // Nothing waits on the meta shard's hint (only a silo refreshing its addresses reads it).
    public static bool Urgent(ulong shardId) => shardId != 0;

    private static bool Crossed(ulong reported, ulong now, long threshold) =>
        threshold > 0 && (reported >= (ulong)threshold) != (now >= (ulong)threshold);

    private static bool SameMembers(IReadOnlyCollection<ulong> reported, IReadOnlyList<ulong> actual)
    {
        if (reported.Count != actual.Count)
        {
            return false;
        }

        // Indexed: this runs for every shard led here on every maintenance pass.
        for (var i = 0; i < actual.Count; i++)
        {
            if (!reported.Contains(actual[i]))
            {
                return false;
            }
        }

        return true;
    }
}
