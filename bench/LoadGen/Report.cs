using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MultiRaft.LoadGen;

/// <summary>Prints a run's result as text for people or as one JSON object for scripts.</summary>
public static class Report
{
    private static readonly double[] Percentiles = [50, 99, 99.9];

    /// <summary>The result as a few aligned lines.</summary>
    public static string Text(LoadOptions options, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(result);
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        var over = options.Orleans is { } orleans ? $"{orleans.Gateways.Count} gateway(s)" : $"{options.Urls.Count} url(s)";
        s.AppendLine(c, $"multiraft-loadgen: {options.Clients} clients over {over}, keys 1..{options.Keys}, value {options.ValueSize} B, read ratio {options.ReadRatio:0.###}, {result.Elapsed.TotalSeconds:0.0} s measured after {options.Warmup.TotalSeconds:0.#} s warmup");
        s.AppendLine(c, $"target      {Target(options)}");
        s.AppendLine(c, $"throughput  {result.OpsPerSecond,12:N1} ops/s   writes/s {result.WritesPerSecond:N1}   reads/s {result.ReadsPerSecond:N1}");
        AppendLatency(s, "write", result.Writes);
        AppendLatency(s, "read", result.Reads);
        s.Append("errors      ");
        if (result.ErrorCount == 0)
        {
            s.AppendLine("none");
        }
        else
        {
            s.AppendLine(string.Join(", ", result.Errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}")));
        }

        return s.ToString();
    }

    /// <summary>The result as one JSON object; latencies in milliseconds.</summary>
    public static string Json(LoadOptions options, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("target", options.TargetName);
            if (options.Orleans is { } orleans)
            {
                WriteStrings(w, "gateways", orleans.Gateways);
                w.WriteString("clusterId", orleans.ClusterId);
                w.WriteString("serviceId", orleans.ServiceId);
            }
            else
            {
                WriteStrings(w, "urls", options.Urls.Select(u => u.ToString()));
            }

            w.WriteNumber("clients", options.Clients);
            w.WriteNumber("keys", options.Keys);
            w.WriteNumber("valueSize", options.ValueSize);
            w.WriteNumber("readRatio", options.ReadRatio);
            w.WriteNumber("warmupSeconds", options.Warmup.TotalSeconds);
            w.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            w.WriteNumber("ops", result.Ops);
            w.WriteNumber("opsPerSecond", Math.Round(result.OpsPerSecond, 1));
            w.WriteNumber("writesPerSecond", Math.Round(result.WritesPerSecond, 1));
            w.WriteNumber("readsPerSecond", Math.Round(result.ReadsPerSecond, 1));
            WriteLatency(w, "write", result.Writes);
            WriteLatency(w, "read", result.Reads);
            w.WriteNumber("errorCount", result.ErrorCount);
            w.WriteStartObject("errors");
            foreach (var (cause, count) in result.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(cause, count);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The target and where it points: <c>http URL ...</c> or <c>orleans GATEWAY ... (cluster C, service S)</c>.</summary>
    private static string Target(LoadOptions options) => options.Orleans is { } orleans
        ? $"orleans {string.Join(' ', orleans.Gateways)} (cluster {orleans.ClusterId}, service {orleans.ServiceId})"
        : "http " + string.Join(' ', options.Urls);

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void AppendLatency(StringBuilder s, string name, LatencyHistogram h)
    {
        var c = CultureInfo.InvariantCulture;
        if (h.Count == 0)
        {
            s.AppendLine(c, $"{name,-6}      none");
            return;
        }

        s.Append(c, $"{name,-6}      n={h.Count}  mean {Ms(h.Mean):0.000} ms");
        foreach (var p in Percentiles)
        {
            s.Append(c, $"  p{p} {Ms(h.ValueAtPercentile(p)):0.000} ms");
        }

        s.AppendLine(c, $"  max {Ms(h.Max):0.000} ms");
    }

    private static void WriteLatency(Utf8JsonWriter w, string name, LatencyHistogram h)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", h.Count);
        w.WriteNumber("meanMs", Math.Round(Ms(h.Mean), 3));
        w.WriteNumber("p50Ms", Math.Round(Ms(h.ValueAtPercentile(50)), 3));
        w.WriteNumber("p99Ms", Math.Round(Ms(h.ValueAtPercentile(99)), 3));
        w.WriteNumber("p999Ms", Math.Round(Ms(h.ValueAtPercentile(99.9)), 3));
        w.WriteNumber("maxMs", Math.Round(Ms(h.Max), 3));
        w.WriteEndObject();
    }

    private static double Ms(double nanoseconds) => nanoseconds / 1e6;
}
