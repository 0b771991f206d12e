using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Http;

/// <summary>The operator routes under <c>/cluster</c>.</summary>
internal static class ClusterEndpoints
{
    /// <summary>Largest transfer-leader body read: it holds one silo id.</summary>
    private const int MaxCommandBodyBytes = 16 * 1024;

    public static Task<IResult> GetAsync(HttpContext context) => ApiErrors.Guard(context, async () =>
    {
        var view = await Client(context).GetClusterAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Json(ClusterJson.From(view), HttpJsonContext.Default.ClusterJson, contentType: null, statusCode: StatusCodes.Status200OK);
    });

    public static Task<IResult> TransferLeaderAsync(HttpContext context) => ApiErrors.Guard(context, async () =>
    {
        if (!ulong.TryParse(context.Request.RouteValues["id"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var shardId))
        {
            return ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "no such shard");
        }

        var body = await CappedBody.ReadAsync(context.Request, MaxCommandBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status413PayloadTooLarge, "the body is too large");
        }

        TransferLeaderBody? command;
        try
        {
            command = JsonSerializer.Deserialize(body, HttpJsonContext.Default.TransferLeaderBody);
        }
        catch (JsonException)
        {
            command = null;
        }

        var to = command?.To;
        if (string.IsNullOrEmpty(to))
        {
            return ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, "the body must be {\"to\":\"<siloId>\"}");
        }

        // Check names against the answering silo's view first, so an unknown one is a clear 404
        // whatever the gateway would have answered.
        var client = Client(context);
        var view = await client.GetClusterAsync(context.RequestAborted).ConfigureAwait(false);
        if (!view.Shards.Any(s => s.ShardId == shardId))
        {
            return ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "no such shard: " + shardId.ToString(CultureInfo.InvariantCulture));
        }

        if (FindSilo(view, to) is null)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "no such silo: " + to);
        }

        await client.TransferLeaderAsync(shardId, to, context.RequestAborted).ConfigureAwait(false);
        HttpLog.LeaderTransferred(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MultiRaft.Http"), shardId, to);
        return Results.Json(new TransferLeaderResult(shardId, to), HttpJsonContext.Default.TransferLeaderResult,
            contentType: null, statusCode: StatusCodes.Status200OK);
    });

    /// <summary>
    /// <c>POST /cluster/shards/{id}/split</c> with an optional body <c>{"at": hash}</c> (default:
    /// the middle of the shard's range): 202 once the router's map holds both shards (the shard's
    /// leader moves the keys in the background), with the two shards; 404 for an unknown data
    /// shard; 409 when the router refuses (hash outside the range, replica change in progress).
    /// </summary>
    public static Task<IResult> SplitAsync(HttpContext context) => ApiErrors.Guard(context, async () =>
    {
        if (!ulong.TryParse(context.Request.RouteValues["id"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var shardId)
            || shardId == 0)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "no such data shard");
        }

        var body = await CappedBody.ReadAsync(context.Request, MaxCommandBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status413PayloadTooLarge, "the body is too large");
        }

        ulong? at = null;
        if (body.Length > 0)
        {
            try
            {
                at = JsonSerializer.Deserialize(body, HttpJsonContext.Default.SplitBody)?.At;
            }
            catch (JsonException)
            {
                return ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, "the body must be empty or {\"at\": <hash>}");
            }
        }

        var client = Client(context);
        var view = await client.GetClusterAsync(context.RequestAborted).ConfigureAwait(false);
        if (!view.Shards.Any(s => s.ShardId == shardId))
        {
            return ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "no such shard: " + shardId.ToString(CultureInfo.InvariantCulture));
        }

        var (shard, added) = await client.SplitShardAsync(shardId, at, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new SplitResult(ShardJson.From(shard, null), ShardJson.From(added, null)), HttpJsonContext.Default.SplitResult,
            contentType: null, statusCode: StatusCodes.Status202Accepted);
    });

    /// <summary>
    /// <c>POST /cluster/silos/{id}/drain</c>: 202 once the router marked the silo draining, with
    /// the data replicas it still holds (they and its leaderships move in the background; ask
    /// again, or read <c>GET /cluster</c>, to follow). 404 for an unknown silo, 409 when the
    /// router refuses (a dead silo, or too few active silos left to hold every replica).
    /// </summary>
    public static Task<IResult> DrainAsync(HttpContext context) => OnKnownSiloAsync(context, async (client, siloId) =>
    {
        var left = await client.DrainSiloAsync(siloId, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new DrainResult(siloId, "draining", left), HttpJsonContext.Default.DrainResult,
            contentType: null, statusCode: StatusCodes.Status202Accepted);
    });

    /// <summary>
    /// <c>DELETE /cluster/silos/{id}/drain</c>: 200 <c>{"silo","status":"active"}</c> once the
    /// router made the draining silo active again (also for one already active); 404 for an
    /// unknown silo, 409 for a dead or removed one.
    /// </summary>
    public static Task<IResult> UndrainAsync(HttpContext context) => OnKnownSiloAsync(context, async (client, siloId) =>
    {
        await client.UndrainSiloAsync(siloId, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new UndrainResult(siloId, "active"), HttpJsonContext.Default.UndrainResult,
            contentType: null, statusCode: StatusCodes.Status200OK);
    });

    /// <summary>
    /// <c>DELETE /cluster/silos/{id}</c>: 204 once the router took the drained silo out (the silo
    /// then stops itself); 404 for an unknown silo, 409 when it is not drained or still holds
    /// data replicas.
    /// </summary>
    public static Task<IResult> RemoveAsync(HttpContext context) => OnKnownSiloAsync(context, async (client, siloId) =>
    {
        await client.RemoveSiloAsync(siloId, context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    });

    // Runs a scale-in action on the silo the route names, checked against the answering silo's
    // view first, so that an unknown one is a clear 404 whatever the router would answer.
    private static Task<IResult> OnKnownSiloAsync(HttpContext context, Func<MultiRaftClient, string, Task<IResult>> action) =>
        ApiErrors.Guard(context, async () =>
        {
            var siloId = context.Request.RouteValues["id"] as string ?? "";
            var client = Client(context);
            var view = await client.GetClusterAsync(context.RequestAborted).ConfigureAwait(false);
            return FindSilo(view, siloId) is null
                ? ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "no such silo: " + siloId)
                : await action(client, siloId).ConfigureAwait(false);
        });

    private static SiloInfo? FindSilo(ClusterView view, string siloId) =>
        view.Silos.FirstOrDefault(s => string.Equals(s.SiloId, siloId, StringComparison.Ordinal));

    private static MultiRaftClient Client(HttpContext context) => context.RequestServices.GetRequiredService<MultiRaftClient>();
}
