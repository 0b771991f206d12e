using System.Globalization;
using System.Text;

namespace MultiRaft.Linearizability;

/// <summary>Plain-text reports of check results and failing windows. Output is deterministic.</summary>
public static class TextReport
{
    /// <summary>One line per key plus, for each failing window, its operations.</summary>
    public static string Render(CheckResult result, IReadOnlyList<FailingWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(windows);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Linearizability: {result.Verdict}");
        if (result.Verdict == Verdict.TimedOut)
            text.Append(" (the checker ran out of budget: this is a failure, not a pass)");
        text.Append('\n');
        foreach (var key in result.Keys)
            text.Append(CultureInfo.InvariantCulture, $"  key {key.Key}: {key.Verdict}, {key.Operations.Count} operations, {key.Steps} steps\n");
        foreach (var window in windows)
            text.Append('\n').Append(Render(window));
        return text.ToString();
    }

    /// <summary>A failing window: its operations, the legal order found, and what could not follow.</summary>
    public static string Render(FailingWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"Key {window.Key}: minimal failing window [{window.Start}, {window.End}], {window.Operations.Count} operations\n");
        text.Append(window.FromStart
            ? "(checked from the start of the history; operations still running at its end count as unknown)\n"
            : "(checked from an arbitrary state; operations not wholly inside it count as unknown)\n");
        foreach (var op in window.Operations)
        {
            var mark = ReferenceEquals(op, window.Failing) || op.Id == window.Failing?.Id ? "   <-- cannot be linearized" : "";
            text.Append(CultureInfo.InvariantCulture, $"  {op}{mark}\n");
        }

        text.Append("Longest legal order in the window:\n");
        if (window.Check.LongestPrefix.Count == 0)
            text.Append("  (none: not even the first operation fits)\n");
        foreach (var op in window.Check.LongestPrefix)
            text.Append(CultureInfo.InvariantCulture, $"  #{op.Id} {op.Label}\n");
        text.Append("None of these fits next:\n");
        foreach (var op in window.Check.Involved)
            text.Append(CultureInfo.InvariantCulture, $"  #{op.Id} {op.Label}\n");
        return text.ToString();
    }
}
