namespace MultiRaft.Linearizability;

/// <summary>What one search over one key's operations found.</summary>
/// <param name="Verdict">Ok, Illegal or TimedOut.</param>
/// <param name="LongestPrefix">Indexes of the longest legal order found, in that order.</param>
/// <param name="Steps">Search steps taken.</param>
internal sealed record SearchOutcome(Verdict Verdict, IReadOnlyList<int> LongestPrefix, long Steps);
