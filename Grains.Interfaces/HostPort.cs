namespace MultiRaft.Grains.Interfaces;

/// <summary>The <c>host:port</c> addresses silos and gateways advertise (an IPv6 host in brackets).</summary>
public static class HostPort
{
    /// <summary>Splits <paramref name="address"/> into host (brackets removed) and a port in 1..65535.</summary>
    public static bool TryParse(string? address, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = address?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out port) || port is < 1 or > 65535)
        {
            port = 0;
            return false;
        }

        host = address![..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return host.Length > 0;
    }
}
