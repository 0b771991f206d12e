using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MultiRaft.Http;

/// <summary>
/// Reads a key out of <c>/kv/{key}</c>. The key is the rest of the path, percent-decoded straight
/// to bytes from the raw request target: the server's own decoding keeps <c>%2F</c> encoded and
/// turns bytes that are not UTF-8 into replacement characters, and a key must survive both.
/// </summary>
internal static class KeyPath
{
    private const string Prefix = "/kv/";

    /// <summary>The key's bytes; empty when the path names none.</summary>
    public static byte[] Read(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is not null && raw.StartsWith(Prefix, StringComparison.Ordinal))
        {
            var end = raw.IndexOfAny(['?', '#']);
            var segment = end < 0 ? raw.AsSpan(Prefix.Length) : raw.AsSpan(Prefix.Length, end - Prefix.Length);
            return PercentDecode(segment);
        }

        // Mounted under a path base or reached through an absolute-form target: fall back to the routed value.
        var routed = context.Request.RouteValues["key"] as string ?? "";
        return System.Text.Encoding.UTF8.GetBytes(routed);
    }

    /// <summary>Percent-decodes ASCII text to bytes; a <c>%</c> not followed by two hex digits stays literal.</summary>
    internal static byte[] PercentDecode(ReadOnlySpan<char> text)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(text.Length)];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                bytes[n++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes[n++] = (byte)c;
            }
            else
            {
                // Raw targets are ASCII on the wire; be lenient with anything a server hands over decoded.
                n += System.Text.Encoding.UTF8.GetBytes(text.Slice(i, char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1), bytes.AsSpan(n));
                if (char.IsHighSurrogate(c) && i + 1 < text.Length)
                {
                    i++;
                }
            }
        }

        return bytes.AsSpan(0, n).ToArray();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
