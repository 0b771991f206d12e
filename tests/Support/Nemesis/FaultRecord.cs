namespace MultiRaft.Nemesis;

/// <summary>One injected fault, for the run's summary.</summary>
/// <param name="At">When it started, from the start of the load.</param>
/// <param name="Duration">How long it lasted before it healed.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="What">What exactly was done.</param>
public sealed record FaultRecord(TimeSpan At, TimeSpan Duration, NemesisKind Kind, string What)
{
    /// <inheritdoc />
    public override string ToString() => $"t={At.TotalSeconds,5:F1}s +{Duration.TotalSeconds:F1}s {Kind,-9} {What}";
}
