using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Orleans.Dashboard;

namespace MultiRaft.Silo.Hosting;

/// <summary>
/// Serves the Orleans Dashboard under a path prefix from a pipeline of its own, built on the first
/// request under that prefix rather than when the silo starts.
/// </summary>
/// <remarks>
/// Mapping the dashboard's endpoints makes Orleans read, gzip and hash every asset the dashboard
/// embeds. At start that ran on the silo's one start-up thread between its WAL opening and Orleans
/// starting, as cold code, and left 43 MB of garbage (a restarted 10,000-replica silo's trace,
/// bench/many-shards.md), on every start of every silo, for a page few silos ever serve. Built on
/// demand, the first visit pays it instead. The main pipeline's routes never include the
/// dashboard's, so its requests reach this middleware unmatched (or matched by nothing that could
/// serve them, and then taken from it).
/// </remarks>
public static class DashboardOnDemand
{
    // ASP.NET Core's routing keeps a WebApplication's route builder under this key; a pipeline made
    // from the application would otherwise map its endpoints into the application's own routes.
    private const string GlobalEndpointRouteBuilderKey = "__GlobalEndpointRouteBuilder";

    /// <summary>Serves the dashboard under <paramref name="prefix"/> (such as <c>/dashboard</c>), built on first use.</summary>
    public static IApplicationBuilder UseOrleansDashboardOnDemand(this IApplicationBuilder app, PathString prefix)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!prefix.HasValue)
        {
            throw new ArgumentException("the dashboard needs a path prefix, such as /dashboard", nameof(prefix));
        }

        var dashboard = new Lazy<RequestDelegate>(() => Build(app, prefix), LazyThreadSafetyMode.ExecutionAndPublication);
        return app.Use(next => context =>
        {
            if (!context.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return next(context);
            }

            // The dashboard's routing matches only if no endpoint was chosen before it.
            context.SetEndpoint(null);
            context.Request.RouteValues.Clear();
            return dashboard.Value(context);
        });
    }

    private static RequestDelegate Build(IApplicationBuilder app, PathString prefix)
    {
        var pipeline = app.New();
        pipeline.Properties.Remove(GlobalEndpointRouteBuilderKey);
        pipeline.UseRouting();
        pipeline.UseEndpoints(endpoints => endpoints.MapOrleansDashboard(routePrefix: prefix.Value));
        // Anything under the prefix that is not the dashboard's ends here: 404.
        return pipeline.Build();
    }
}
