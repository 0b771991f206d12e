namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>Counts of what a run exercised, so a report shows the faults really happened.</summary>
public sealed class RunStats
{
    public long Crashes { get; set; }

    public long SnapshotsInstalled { get; set; }

    public long ConfChangesApplied { get; set; }

    public long Elections { get; set; }

    public long WritesAcknowledged { get; set; }

    public long ReadsServed { get; set; }

    public long Steps { get; set; }

    public void Add(SimCluster c)
    {
        Crashes += c.Stats.Crashes;
        SnapshotsInstalled += c.Stats.SnapshotsInstalled;
        ConfChangesApplied += c.Stats.ConfChangesApplied;
        Elections += c.Checker.LeadersElected;
        WritesAcknowledged += c.Checker.AcknowledgedIds.Count;
        ReadsServed += c.Checker.ReadsServed;
        Steps += c.Steps;
    }

    public override string ToString() =>
        $"{Steps} steps, {Elections} leaders elected, {Crashes} crashes, {SnapshotsInstalled} snapshots installed, "
        + $"{ConfChangesApplied} membership changes applied, {WritesAcknowledged} writes acknowledged, {ReadsServed} reads served";
}
