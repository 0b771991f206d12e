using System.Globalization;
using System.Net;

namespace MultiRaft.Client;

/// <summary>Parses and resolves an Orleans gateway given as <c>HOST:PORT</c>: an IPv4 address, <c>[IPv6]</c>, or a host name.</summary>
public static class GatewayEndpoint
{
    /// <summary>Splits <paramref name="text"/> into a host (brackets removed) and a port; false when it is not <c>HOST:PORT</c>.</summary>
    public static bool TryParse(string text, out string host, out int port)
    {
        ArgumentNullException.ThrowIfNull(text);
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            port = 0;
            return false;
        }

        var name = text[..colon];
        if (name.StartsWith('[') && name.EndsWith(']') && name.Length > 2)
        {
            name = name[1..^1];
            if (!IPAddress.TryParse(name, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                port = 0;
                return false;
            }
        }
        else if (name.Contains(':', StringComparison.Ordinal) || Uri.CheckHostName(name) is UriHostNameType.Unknown or UriHostNameType.IPv6)
        {
            // An IPv6 address must be bracketed, and "http://host" is a URL, not a gateway.
            port = 0;
            return false;
        }

        host = name;
        return true;
    }

    /// <summary>The address Orleans connects to: the IP as given, or a host name's first address.</summary>
    public static async Task<IPEndPoint> ResolveAsync(string text, CancellationToken cancellationToken)
    {
        if (!TryParse(text, out var host, out var port))
        {
            throw new FormatException($"'{text}' is not HOST:PORT");
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return addresses.Length != 0
            ? new IPEndPoint(addresses[0], port)
            : throw new InvalidOperationException($"the gateway host '{host}' has no address");
    }
}
