namespace MultiRaft.Linearizability;

/// <summary>
/// The smallest stretch of one key's history that is not linearizable on its own.
/// </summary>
/// <param name="Key">The key.</param>
/// <param name="Start">Window start: operations that returned before it are left out, and the window
/// is checked from an arbitrary state unless it starts at the beginning of the history.</param>
/// <param name="End">Window end: operations invoked after it are left out; those still running at
/// it count as unknown.</param>
/// <param name="Operations">Every recorded operation on the key that overlaps the window (Failed ones
/// included, for the picture), by invoke time.</param>
/// <param name="Check">The check of the window: its longest legal order and failing operation.</param>
/// <param name="FromStart">Whether the window starts at the beginning of the history, and so was
/// checked from the model's initial state rather than an arbitrary one.</param>
public sealed record FailingWindow(
    string Key, long Start, long End, IReadOnlyList<Operation> Operations, KeyResult Check, bool FromStart)
{
    /// <summary>The operation that could not be placed.</summary>
    public Operation? Failing => Check.Failing;
}
