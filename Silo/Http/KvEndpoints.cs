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
/// <remarks>
/// The key routes are the hot path, so they are plain request delegates that set their answer on
/// the response: no result object, and services resolved once from the application's provider
/// (touching <see cref="HttpContext.RequestServices"/> would open a DI scope per request). Only
/// refusals and errors go through <see cref="IResult"/>s.
/// </remarks>
internal sealed class KvEndpoints(IServiceProvider services)
{
    /// <summary>The scan's default number of items.</summary>
    public const int DefaultScanLimit = 100;

    /// <summary>The scan's largest <c>limit</c>.</summary>
    public const int MaxScanLimit = 10_000;

    private readonly Lazy<HttpApiOptions> _options = new(services.ApiOptions);
    private readonly Lazy<MultiRaftClient> _client = new(services.GetRequiredService<MultiRaftClient>);
    private readonly Lazy<ILocalWrites?> _localWrites = new(services.GetService<ILocalWrites>);

    public async Task PutAsync(HttpContext context)
    {
        try
        {
            var options = _options.Value;
            if (!TryKey(context, options, out var key, out var refusal))
            {
                await refusal.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            if (!Conditions.TryRead(context.Request, allowIfAbsent: true, out var write, out var error))
            {
                await ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, error).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            var value = await CappedBody.ReadAsync(context.Request, options.MaxValueBytes, context.RequestAborted).ConfigureAwait(false);
            if (value is null)
            {
                await ApiErrors.Refuse(context, StatusCodes.Status413PayloadTooLarge,
                    "value is over the maximum of " + options.MaxValueBytes.ToString(CultureInfo.InvariantCulture) + " bytes")
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            var version = _localWrites.Value is { } local
                && await local.TryWriteAsync(key, value, write, context.RequestAborted).ConfigureAwait(false) is { } answer
                ? answer.Version
                : await _client.Value.PutAsync(key, value, write, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            context.Response.Headers.ETag = Conditions.ETag(version);
        }
        catch (MultiRaftException e)
        {
            await ApiErrors.From(context, e).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    public async Task GetAsync(HttpContext context)
    {
        try
        {
            if (!TryKey(context, _options.Value, out var key, out var refusal) || !TryConsistency(context, out var consistency, out refusal))
            {
                await refusal.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            var entry = await _client.Value.GetAsync(key, consistency, context.RequestAborted).ConfigureAwait(false);
            if (entry is null)
            {
                await ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "key not found").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.Headers.ETag = Conditions.ETag(entry.Version);
            response.ContentType = "application/octet-stream";
            response.ContentLength = entry.Value.Length;
            await response.Body.WriteAsync(entry.Value, context.RequestAborted).ConfigureAwait(false);
        }
        catch (MultiRaftException e)
        {
            await ApiErrors.From(context, e).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    public async Task DeleteAsync(HttpContext context)
    {
        try
        {
            if (!TryKey(context, _options.Value, out var key, out var refusal))
            {
                await refusal.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            if (!Conditions.TryRead(context.Request, allowIfAbsent: false, out var write, out var error))
            {
                await ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, error).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            var deleted = _localWrites.Value is { } local
                && await local.TryWriteAsync(key, null, write, context.RequestAborted).ConfigureAwait(false) is { } answer
                ? answer.Found
                : await _client.Value.DeleteAsync(key, write, context.RequestAborted).ConfigureAwait(false);
            if (!deleted)
            {
                await ApiErrors.Refuse(context, StatusCodes.Status404NotFound, "key not found").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        catch (MultiRaftException e)
        {
            await ApiErrors.From(context, e).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    public Task<IResult> ScanAsync(HttpContext context) => ApiErrors.Guard(context, async () =>
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

        var maxKey = _options.Value.MaxKeyBytes;
        var prefix = Encoding.UTF8.GetBytes(query["prefix"].ToString());
        var startAfter = Encoding.UTF8.GetBytes(query["start_after"].ToString());
        if (prefix.Length > maxKey || startAfter.Length > maxKey)
        {
            return ApiErrors.Refuse(context, StatusCodes.Status400BadRequest, "prefix or start_after is longer than a key may be");
        }

        var entries = await _client.Value.ScanAsync(prefix, limit, startAfter, consistency, context.RequestAborted).ConfigureAwait(false);
        var items = new ScanItem[entries.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = ScanItems.From(entries[i]);
        }

        return Results.Json(items, HttpJsonContext.Default.ScanItemArray, contentType: null, statusCode: StatusCodes.Status200OK);
    });

    private static bool TryKey(HttpContext context, HttpApiOptions options, out byte[] key, out IResult refusal)
    {
        refusal = Results.Empty;
        if (!KeyPath.TryRead(context, out key))
        {
            refusal = ApiErrors.Refuse(context, StatusCodes.Status400BadRequest,
                "the key's percent-encoding is malformed: a '%' must be followed by two hex digits");
            return false;
        }

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
