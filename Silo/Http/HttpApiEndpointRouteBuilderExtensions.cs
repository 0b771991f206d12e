using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MultiRaft.Http;

/// <summary>Maps the HTTP API every silo serves (the table in DESIGN.md).</summary>
public static class HttpApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/kv/{key}</c> (PUT, GET, DELETE), <c>GET /kv</c> (scan), <c>GET /cluster</c>, and the
    /// operator routes under <c>/cluster</c>. Needs <see cref="HttpApiServiceCollectionExtensions.AddMultiRaftHttpApi"/>
    /// and a registered <see cref="MultiRaft.Client.MultiRaftClient"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapMultiRaftHttpApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // A catch-all so that keys may hold '/'; the key itself is decoded from the raw target.
        var kv = new KvEndpoints(app.ServiceProvider);
        app.MapPut("/kv/{**key}", (RequestDelegate)kv.PutAsync);
        app.MapGet("/kv/{**key}", (RequestDelegate)kv.GetAsync);
        app.MapDelete("/kv/{**key}", (RequestDelegate)kv.DeleteAsync);
        app.MapGet("/kv", Handler(kv.ScanAsync));

        app.MapGet("/cluster", Handler(ClusterEndpoints.GetAsync));
        app.MapPost("/cluster/shards/{id}/transfer-leader", Handler(ClusterEndpoints.TransferLeaderAsync));
        app.MapPost("/cluster/shards/{id}/split", Handler(ClusterEndpoints.SplitAsync));
        app.MapPost("/cluster/silos/{id}/drain", Handler(ClusterEndpoints.DrainAsync));
        app.MapDelete("/cluster/silos/{id}/drain", Handler(ClusterEndpoints.UndrainAsync));
        app.MapDelete("/cluster/silos/{id}", Handler(ClusterEndpoints.RemoveAsync));
        return app;
    }

    // Typed as Func so that the IResult is executed: a bare method group returning Task<IResult>
    // would bind to the RequestDelegate overload, which discards the result.
    private static Func<HttpContext, Task<IResult>> Handler(Func<HttpContext, Task<IResult>> handler) => handler;
}
