using System.Text;
using MultiRaft.Linearizability;

namespace MultiRaft.Nemesis;

/// <summary>What a run did and what the checker said.</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="NetworkFaults">Whether silos ran in network namespaces (else loopback, process faults only).</param>
/// <param name="Faults">Every fault injected, in order.</param>
/// <param name="Counts">Operations by outcome.</param>
/// <param name="Check">The checker's result.</param>
/// <param name="CheckTime">How long the check took.</param>
/// <param name="LoadTime">How long the clients ran.</param>
/// <param name="ReportPath">The text report of a failed check, or null.</param>
/// <param name="Notes">Anything else worth saying (skipped nemeses, final reads that never answered).</param>
public sealed record RunResult(int Seed, bool NetworkFaults, IReadOnlyList<FaultRecord> Faults, OpCounts Counts, CheckResult Check,
    TimeSpan CheckTime, TimeSpan LoadTime, string? ReportPath, IReadOnlyList<string> Notes)
{
    /// <summary>How the silos' membership works and what the faults spared because of it.</summary>
    public string Membership { get; init; } = "";

    /// <summary>
    /// Silos that exited on their own during the run and were restarted by the harness (Orleans
    /// stops a silo the others declared dead): expected under faults, counted, not a failure.
    /// </summary>
    public IReadOnlyList<RestartRecord> Restarts { get; init; } = [];

    /// <summary>Where the silos' and clients' logs were kept (after a failed check or a restart), or null.</summary>
    public string? LogDirectory { get; init; }

    /// <summary>Operations answered ok per second of the run (with failed and unknown ones), see <see cref="Workload.Timeline"/>.</summary>
    public string Timeline { get; init; } = "";

    /// <summary>Data shards in the router's map before the load and after the heal (-1 when no silo answered).</summary>
    public (int Before, int After) DataShards { get; init; }

    /// <summary>Splits the router accepted (<see cref="NemesisKind.Split"/>): the map grew by at least this many shards.</summary>
    public int SplitsAccepted { get; init; }

    /// <summary>Of <see cref="SplitsAccepted"/>, splits of the new shard of the split before.</summary>
    public int FreshChildSplits { get; init; }

    /// <summary>The checker's verdict.</summary>
    public Verdict Verdict => Check.Verdict;

    /// <summary>A human-readable summary: operations, faults, counts, verdict, report.</summary>
    public string Summary()
    {
        var s = new StringBuilder();
        s.AppendLine($"seed {Seed}, load {LoadTime.TotalSeconds:F1}s, {(NetworkFaults ? "network namespaces" : "LOOPBACK ONLY: process faults only")}");
        s.AppendLine($"faults injected: {Faults.Count} ({string.Join(", ", Faults.GroupBy(f => f.Kind).Select(g => $"{g.Key} x{g.Count()}"))})");
        foreach (var f in Faults)
        {
            s.AppendLine("  " + f);
        }

        if (Membership.Length > 0)
        {
            s.AppendLine(Membership);
        }

        if (SplitsAccepted > 0 || DataShards.Before != DataShards.After)
        {
            s.AppendLine($"data shards: {DataShards.Before} -> {DataShards.After}, {SplitsAccepted} splits accepted ({FreshChildSplits} of a fresh new shard)");
        }

        s.AppendLine($"silo restarts (exited on their own, restarted by the harness): {Restarts.Count}");
        foreach (var r in Restarts)
        {
            s.AppendLine("  " + r);
        }

        s.AppendLine(Counts.ToString());
        if (Timeline.Length > 0)
        {
            s.AppendLine("ok per second (/failed f, /unknown u): " + Timeline);
        }
        s.AppendLine($"checker: {Verdict} in {CheckTime.TotalSeconds:F2}s over {Check.Keys.Count} keys");
        foreach (var note in Notes)
        {
            s.AppendLine("note: " + note);
        }

        if (ReportPath is not null)
        {
            s.AppendLine("report: " + ReportPath);
        }

        if (LogDirectory is not null)
        {
            s.AppendLine("silo and client logs kept at: " + LogDirectory);
        }

        return s.ToString();
    }
}

/// <summary>A silo restart, timed from the start of the load (negative: before it).</summary>
/// <param name="At">When the silo exited, from the start of the load.</param>
/// <param name="Restart">What the harness saw and did.</param>
public sealed record RestartRecord(TimeSpan At, SiloRestart Restart)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"t={At.TotalSeconds,5:F1}s {Restart.SiloId} exited on its own with code {Restart.ExitCode}, restarted: {Restart.Reason}";
}
