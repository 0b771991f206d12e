namespace MultiRaft.Grains.Replica;

/// <summary>
/// What became of a proposal: applied with a result, or known not applied because another
/// entry took its index (a new leader overwrote it). A proposal that never gets either is
/// of unknown outcome; its waiter's deadline says so.
/// </summary>
public readonly record struct ApplyOutcome(bool Applied, object? Result)
{
    /// <summary>Another entry took the proposal's index: it will never apply.</summary>
    public static ApplyOutcome Overwritten => new(false, null);
}
