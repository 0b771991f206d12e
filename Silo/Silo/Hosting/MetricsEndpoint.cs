using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace MultiRaft.Silo.Hosting;

/// <summary>
/// <c>GET /metrics</c> on the silo's HTTP port, in Prometheus' text format: the store's own
/// <see cref="MultiRaftMeter"/>, Orleans' runtime meter, ASP.NET Core's and Kestrel's, and the .NET runtime's.
/// </summary>
public static class MetricsEndpoint
{
    /// <summary>The route Prometheus scrapes.</summary>
    public const string Path = "/metrics";

    /// <summary>
    /// The meters exported besides <see cref="MultiRaftMeter.Name"/>. ASP.NET Core's are named one
    /// by one: a meter nobody listens to costs nothing, and two of the others record on every
    /// request or buffer (<c>Microsoft.AspNetCore.MemoryPool</c> on each rent and return of a
    /// Kestrel buffer, <c>Microsoft.AspNetCore.Routing</c> on each match), 1.3% of a silo's CPU
    /// under 10,000-shard writes, for figures no operator of this store reads.
    /// </summary>
    public static readonly IReadOnlyList<string> OtherMeters =
        ["Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    /// <summary>
    /// Instruments of those meters left out of the export: Orleans' histograms of the size of
    /// every message between silos (a tagged histogram update per message each way, 0.3% of a
    /// silo's CPU under 10,000-shard writes; Orleans' own listener of the sizes stays);
    /// <c>multiraft.call.messages</c> and the WAL's figures say what the store's own traffic is.
    /// </summary>
    public static readonly IReadOnlyList<string> DroppedInstruments =
        ["orleans-messaging-sent-messages-size", "orleans-messaging-received-messages-size"];

    /// <summary>
    /// Adds an OpenTelemetry meter provider with a Prometheus exporter. OpenTelemetry listens to
    /// every meter of these names in the process, so silos that share one (tests) each export them all;
    /// the <c>MultiRaft</c> series carry their silo's id (<c>otel_scope_silo</c>).
    /// </summary>
    public static IServiceCollection AddMultiRaftMetricsExport(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(m =>
        {
            m.AddMeter([MultiRaftMeter.Name, .. OtherMeters]);
            foreach (var instrument in DroppedInstruments)
            {
                m.AddView(instrument, MetricStreamConfiguration.Drop);
            }

            m.AddPrometheusExporter(o => o.ScrapeEndpointPath = Path);
        });
        return services;
    }

    /// <summary>Maps <see cref="Path"/> to the Prometheus exporter added by <see cref="AddMultiRaftMetricsExport"/>.</summary>
    public static IEndpointConventionBuilder MapMultiRaftMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(Path);
}
