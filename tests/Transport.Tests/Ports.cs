using System.Net;
using System.Net.Sockets;

namespace MultiRaft.Transport.Tests;

public static class Ports
{
    /// <summary>A loopback port that was free a moment ago (nothing listens on it).</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
