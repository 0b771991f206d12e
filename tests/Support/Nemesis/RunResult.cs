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

        s.AppendLine(Counts.ToString());
        s.AppendLine($"checker: {Verdict} in {CheckTime.TotalSeconds:F2}s over {Check.Keys.Count} keys");
        foreach (var note in Notes)
        {
            s.AppendLine("note: " + note);
        }

        if (ReportPath is not null)
        {
            s.AppendLine("report: " + ReportPath);
        }

        return s.ToString();
    }
}
