using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MultiRaft.Client;

namespace MultiRaft.Http;

/// <summary>
/// The key routes: <c>PUT/GET/DELETE /kv/{key}</c> and the ordered scan <c>GET /kv</c>. Every
/// input is validated before the client is called, so a 4xx decided here writes nothing.
/// </summary>
internal static class KvEndpoints
{
    /// <summary>The scan's default number of items.</summary>
    public const int DefaultScanLimit = 100;

    /// <summary>The scan's largest <c>limit</c>.</summary>
    public const int MaxScanLimit = 10_000;

    public static Task<IResult> PutAsync(HttpContext context) => ApiErrors.Guard(context, async () =>
    {
        var options = context.RequestServices.ApiOptions();
        if (!TryKey(context, options, out var key, out var refusal))
        {
            return refusal;
        }

        if (!Conditions.TryRead(context.Request, allowIfAbsent: true, out var write, out var error))
        {
            return ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, error);
        }

        var value = await CappedBody.ReadAsync(context.Request, options.MaxValueBytes, context.RequestAborted).ConfigureAwait(false);
        if (value is null)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status413PayloadTooLarge,
                "value is over the maximum of " + options.MaxValueBytes.ToString(CultureInfo.InvariantCulture) + " bytes");
        }

        var version = LocalWrites(context) is { } local
            && await local.TryWriteAsync(key, value, write, context.RequestAborted).ConfigureAwait(false) is { } answer
            ? answer.Version
            : await Client(context).PutAsync(key, value, write, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.ETag = Conditions.ETag(version);
        return Results.NoContent();
    });

    public static Task<IResult> GetAsync(HttpContext context) => ApiErrors.Guard(context, async () =>
    {
        if (!TryKey(context, context.RequestServices.ApiOptions(), out var key, out var refusal))
        {
            return refusal;
        }

        if (!TryConsistency(context, out var consistency, out refusal))
        {
            return refusal;
        }

        var entry = await Client(context).GetAsync(key, consistency, context.RequestAborted).ConfigureAwait(false);
        if (entry is null)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "key not found");
        }

        context.Response.Headers.ETag = Conditions.ETag(entry.Version);
        return Results.Bytes(entry.Value, "application/octet-stream");
    });

    public static Task<IResult> DeleteAsync(HttpContext context) => ApiErrors.Guard(context, async () =>
    {
        if (!TryKey(context, context.RequestServices.ApiOptions(), out var key, out var refusal))
        {
            return refusal;
        }

        if (!Conditions.TryRead(context.Request, allowIfAbsent: false, out var write, out var error))
        {
            return ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, error);
        }

        var deleted = LocalWrites(context) is { } local
            && await local.TryWriteAsync(key, null, write, context.RequestAborted).ConfigureAwait(false) is { } answer
            ? answer.Found
            : await Client(context).DeleteAsync(key, write, context.RequestAborted).ConfigureAwait(false);
        return deleted ? Results.NoContent() : ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "key not found");
    });

    public static Task<IResult> ScanAsync(HttpContext context) => ApiErrors.Guard(context, async () =>
    {
        var query = context.Request.Query;
        var limit = DefaultScanLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (limitText.Count != 1 || !int.TryParse(limitText[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit)
                || limit < 1 || limit > MaxScanLimit))
        {
            return ApiErrors.Refuse(context, StatusCodes.Status400BadRequest,
                "limit must be an integer from 1 to " + MaxScanLimit.ToString(CultureInfo.InvariantCulture));
        }

        if (!TryConsistency(context, out var consistency, out var refusal))
        {
            return refusal;
        }

        var maxKey = context.RequestServices.ApiOptions().MaxKeyBytes;
        var prefix = Encoding.UTF8.GetBytes(query["prefix"].ToString());
        var startAfter = Encoding.UTF8.GetBytes(query["start_after"].ToString());
        if (prefix.Length > maxKey || startAfter.Length > maxKey)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, "prefix or start_after is longer than a key may be");
        }

        var entries = await Client(context).ScanAsync(prefix, limit, startAfter, consistency, context.RequestAborted).ConfigureAwait(false);
        var items = new ScanItem[entries.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = ScanItems.From(entries[i]);
        }

        return Results.Json(items, HttpJsonContext.Default.ScanItemArray, contentType: null, statusCode: StatusCodes.Status200OK);
    });

    private static MultiRaftClient Client(HttpContext context) => context.RequestServices.GetRequiredService<MultiRaftClient>();

    private static ILocalWrites? LocalWrites(HttpContext context) => context.RequestServices.GetService<ILocalWrites>();

    private static bool TryKey(HttpContext context, HttpApiOptions options, out byte[] key, out IResult refusal)
    {
        key = KeyPath.Read(context);
        refusal = Results.Empty;
        if (key.Length == 0)
        {
            refusal = ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, "the key is empty");
            return false;
        }

        if (key.Length > options.MaxKeyBytes)
        {
            refusal = ApiErrors.Refuse(context, StatusCodes.Status400BadRequest,
                "the key is over the maximum of " + options.MaxKeyBytes.ToString(CultureInfo.InvariantCulture) + " bytes");
            return false;
        }

        return true;
    }

    private static bool TryConsistency(HttpContext context, out ReadConsistency consistency, out IResult refusal)
    {
        consistency = ReadConsistency.Linearizable;
        refusal = Results.Empty;
        if (!context.Request.Query.TryGetValue("consistency", out var values))
        {
            return true;
        }

        switch (values.Count == 1 ? values[0] : null)
        {
            case "linearizable":
                return true;
            case "stale":
                consistency = ReadConsistency.Stale;
                return true;
            default:
                refusal = ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, "consistency must be linearizable or stale");
                return false;
        }
    }
}
