namespace MultiRaft.Nemesis;

/// <summary>How the recorded operations ended.</summary>
/// <param name="Total">Operations recorded.</param>
/// <param name="Ok">Answered.</param>
/// <param name="Failed">Definitely not applied.</param>
/// <param name="Unknown">Fate unknown.</param>
public sealed record OpCounts(int Total, int Ok, int Failed, int Unknown)
{
    /// <inheritdoc />
    public override string ToString() => $"{Total} operations: {Ok} ok, {Failed} failed, {Unknown} unknown";
}
