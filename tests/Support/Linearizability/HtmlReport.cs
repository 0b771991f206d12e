using System.Globalization;
using System.Net;
using System.Text;

namespace MultiRaft.Linearizability;

/// <summary>
/// An HTML page per failing window with an inline SVG timeline: one row per client, a bar from
/// invoke to return per operation, the failing one in red. Deterministic: no generation time.
/// </summary>
public static class HtmlReport
{
    private const int LeftMargin = 90;
    private const int PlotWidth = 900;
    private const int RowHeight = 44;
    private const int TopMargin = 30;

    /// <summary>A complete HTML document for one window, its text report included.</summary>
    public static string Render(FailingWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
            .Append(Encode($"Linearizability failure on key {window.Key}"))
            .Append("</title></head>\n<body style=\"font-family:sans-serif\">\n<h1>")
            .Append(Encode($"Key {window.Key}: not linearizable")).Append("</h1>\n")
            .Append(Timeline(window))
            .Append("\n<pre>").Append(Encode(TextReport.Render(window))).Append("</pre>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>The SVG timeline alone.</summary>
    public static string Timeline(FailingWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var ops = window.Operations;
        var clients = ops.Select(o => o.ClientId).Distinct().Order().ToList();
        var first = ops.Count == 0 ? window.Start : Math.Min(window.Start, ops.Min(o => o.InvokeTime));
        var last = ops.Where(o => o.Outcome != Outcome.Unknown).Select(o => o.ReturnTime).Append(window.End).Max();
        var span = Math.Max(1, last - first);
        double X(long t) => LeftMargin + (PlotWidth * (double)(Math.Min(t, last) - first) / span);
        var height = TopMargin + (clients.Count * RowHeight) + 10;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{LeftMargin + PlotWidth + 60}\" height=\"{height}\" font-size=\"11\">\n"));
        svg.Append(Invariant($"<text x=\"{LeftMargin}\" y=\"14\">time {first} .. {last}; window [{window.Start}, {window.End}] dotted</text>\n"));
        // The window's edges: what lies outside them was left out or counted as unknown.
        foreach (var edge in new[] { window.Start, window.End })
            svg.Append(Invariant($"<line x1=\"{X(edge):0.#}\" y1=\"{TopMargin - 6}\" x2=\"{X(edge):0.#}\" y2=\"{height - 6}\" stroke=\"#888\" stroke-dasharray=\"2 3\"/>\n"));
        for (var row = 0; row < clients.Count; row++)
        {
            var y = TopMargin + (row * RowHeight);
            svg.Append(Invariant($"<text x=\"4\" y=\"{y + 18}\">client {clients[row]}</text>\n"));
            svg.Append(Invariant($"<line x1=\"{LeftMargin}\" y1=\"{y + RowHeight - 4}\" x2=\"{LeftMargin + PlotWidth}\" y2=\"{y + RowHeight - 4}\" stroke=\"#ddd\"/>\n"));
            foreach (var op in ops.Where(o => o.ClientId == clients[row]))
                AppendBar(svg, op, window, X(op.InvokeTime), op.Outcome == Outcome.Unknown ? X(last) + 40 : X(op.ReturnTime), y);
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void AppendBar(StringBuilder svg, Operation op, FailingWindow window, double x1, double x2, int y)
    {
        var failing = op.Id == window.Failing?.Id;
        var (fill, stroke) = failing ? ("#f8c0c0", "#c00000")
            : op.Outcome == Outcome.Failed ? ("#eeeeee", "#999999")
            : op.Outcome == Outcome.Unknown ? ("#fff3c0", "#b08000")
            : ("#c8dcf8", "#2050a0");
        var dash = op.Outcome == Outcome.Ok ? "" : " stroke-dasharray=\"4 2\"";
        var width = Math.Max(2, x2 - x1);
        svg.Append(Invariant($"<g><title>{Encode(op.ToString())}</title>"));
        svg.Append(Invariant($"<rect x=\"{x1:0.#}\" y=\"{y + 4}\" width=\"{width:0.#}\" height=\"18\" rx=\"3\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{(failing ? 2 : 1)}\"{dash}/>"));
        svg.Append(Invariant($"<text x=\"{x1 + 3:0.#}\" y=\"{y + 17}\"{(failing ? " font-weight=\"bold\"" : "")}>#{op.Id} {Encode(op.Label)}</text></g>\n"));
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
