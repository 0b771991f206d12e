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

    /// <summary>The meters exported besides <see cref="MultiRaftMeter.Name"/> (a trailing <c>*</c> matches a prefix).</summary>
    public static readonly IReadOnlyList<string> OtherMeters = ["Microsoft.Orleans", "Microsoft.AspNetCore.*", "System.Runtime"];

    /// <summary>
    /// Adds an OpenTelemetry meter provider with a Prometheus exporter. OpenTelemetry listens to
    /// every meter of these names in the process, so silos that share one (tests) each export them all;
    /// the <c>MultiRaft</c> series carry their silo's id (<c>otel_scope_silo</c>).
    /// </summary>
    public static IServiceCollection AddMultiRaftMetricsExport(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter([MultiRaftMeter.Name, .. OtherMeters])
            .AddPrometheusExporter(o => o.ScrapeEndpointPath = Path));
        return services;
    }

    /// <summary>Maps <see cref="Path"/> to the Prometheus exporter added by <see cref="AddMultiRaftMetricsExport"/>.</summary>
    public static IEndpointConventionBuilder MapMultiRaftMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(Path);
}
