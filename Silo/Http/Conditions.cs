using System.Globalization;
using Microsoft.AspNetCore.Http;
using MultiRaft.Client;

namespace MultiRaft.Http;

/// <summary>
/// Maps the conditional and de-duplication headers of a write to <see cref="WriteOptions"/>:
/// <c>If-Match: "&lt;version&gt;"</c> to a version condition, <c>If-None-Match: *</c> to
/// create-only, <c>Idempotency-Key</c> to the client's idempotency token.
/// </summary>
internal static class Conditions
{
    /// <summary>The options, or the reason the headers are malformed.</summary>
    public static bool TryRead(HttpRequest request, bool allowIfAbsent, out WriteOptions options, out string error)
    {
        options = default;
        error = "";
        ulong? ifVersion = null;
        var ifAbsent = false;

        var ifMatch = request.Headers.IfMatch;
        if (ifMatch.Count > 0)
        {
            if (ifMatch.Count != 1 || !TryParseETag(ifMatch[0], out var version))
            {
                error = "If-Match must be one strong ETag: \"<version>\"";
                return false;
            }

            ifVersion = version;
        }

        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (!allowIfAbsent)
            {
                error = "If-None-Match is supported on PUT only";
                return false;
            }

            if (ifNoneMatch.Count != 1 || ifNoneMatch[0]?.Trim() != "*")
            {
                error = "If-None-Match supports only *";
                return false;
            }

            ifAbsent = true;
        }

        if (ifVersion is not null && ifAbsent)
        {
            error = "If-Match and If-None-Match cannot be combined";
            return false;
        }

        string? idempotencyKey = null;
        var keys = request.Headers["Idempotency-Key"];
        if (keys.Count > 0)
        {
            idempotencyKey = keys.Count == 1 ? keys[0]?.Trim() : null;
            if (string.IsNullOrEmpty(idempotencyKey))
            {
                error = "Idempotency-Key must be one non-empty token";
                return false;
            }
        }

        options = new WriteOptions { IfVersion = ifVersion, IfAbsent = ifAbsent, IdempotencyKey = idempotencyKey };
        return true;
    }

    /// <summary>The entity tag of a version: its decimal digits in quotes.</summary>
    public static string ETag(ulong version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>Parses <c>"123"</c>; weak tags, lists and <c>*</c> are refused.</summary>
    internal static bool TryParseETag(string? value, out ulong version)
    {
        version = 0;
        var text = value.AsSpan().Trim();
        if (text.Length < 3 || text[0] != '"' || text[^1] != '"')
        {
            return false;
        }

        var digits = text[1..^1];
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }
}
