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

    /// <summary>
    /// The key's bytes (empty when the path names none); false when the path's percent-encoding is
    /// malformed, because such a key has no one meaning and writing it literally would guess one.
    /// </summary>
    public static bool TryRead(HttpContext context, out byte[] key)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is not null && raw.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return TryPercentDecode(PathOf(raw)[Prefix.Length..], out key);
        }

        // Mounted under a path base or reached through an absolute-form target: fall back to the routed
        // value. The server's decoding leaves a broken escape literal, so '%zz' and '%25zz' both route
        // as "%zz"; only the raw target tells them apart. A URI holds no '%' that does not start an
        // escape anywhere in its path, so a broken one there is the key's (the prefix is fixed).
        if (raw is not null && !EscapesAreWellFormed(PathOf(raw)))
        {
            key = [];
            return false;
        }

        var routed = context.Request.RouteValues["key"] as string ?? "";
        key = System.Text.Encoding.UTF8.GetBytes(routed);
        return true;
    }

    /// <summary>
    /// Percent-decodes ASCII text to bytes; false when a <c>%</c> is not followed by two hex digits,
    /// since a client that meant a literal <c>%</c> sends <c>%25</c>.
    /// </summary>
    internal static bool TryPercentDecode(ReadOnlySpan<char> text, out byte[] decoded)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(text.Length)];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (!IsEscape(text, i))
                {
                    decoded = [];
                    return false;
                }

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

        decoded = bytes.AsSpan(0, n).ToArray();
        return true;
    }

    private static ReadOnlySpan<char> PathOf(string raw)
    {
        var end = raw.AsSpan().IndexOfAny('?', '#');
        return end < 0 ? raw : raw.AsSpan(0, end);
    }

    private static bool EscapesAreWellFormed(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && !IsEscape(text, i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the <c>%</c> at <paramref name="i"/> starts a two-hex-digit escape.</summary>
    private static bool IsEscape(ReadOnlySpan<char> text, int i) =>
        i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
