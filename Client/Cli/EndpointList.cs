using System.Globalization;

namespace MultiRaft.Cli;

/// <summary>Parses <c>--endpoints host:port,host:port</c>; a missing port is the gateway default.</summary>
internal static class EndpointList
{
    /// <summary>The gateway port when none is given (Orleans' gateway default).</summary>
    public const int DefaultPort = 30000;

    /// <summary>The endpoints, normalised to <c>host:port</c>, or the reason the text is not a list of them.</summary>
    public static bool TryParse(string text, out IReadOnlyList<string> endpoints, out string error)
    {
        var list = new List<string>();
        endpoints = list;
        error = "";
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryParseOne(raw, out var endpoint))
            {
                error = $"'{raw}' is not host:port";
                return false;
            }

            list.Add(endpoint);
        }

        return true;
    }

    private static bool TryParseOne(string text, out string endpoint)
    {
        endpoint = "";
        if (text.Length == 0 || text.Contains(' ', StringComparison.Ordinal))
        {
            return false;
        }

        string host;
        string? port;
        if (text.StartsWith('['))
        {
            // [v6-address] or [v6-address]:port
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 2)
            {
                return false;
            }

            host = text[..(close + 1)];
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                return false;
            }

            port = rest.Length > 0 ? rest[1..] : null;
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return false; // an IPv6 address must be bracketed
            }

            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
        }

        var number = DefaultPort;
        if (host.Length == 0
            || (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535)))
        {
            return false;
        }

        endpoint = host + ":" + number.ToString(CultureInfo.InvariantCulture);
        return true;
    }
}
