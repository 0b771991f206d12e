using System.Net;
using System.Net.Sockets;

namespace MultiRaft.Tests.Support;

/// <summary>
/// Loopback ports for test silos and listeners. Linked into each test project that needs it
/// (a source file, not a library, so no test project depends on another).
/// </summary>
internal static class Ports
{
    /// <summary>A loopback port that was free a moment ago (nothing listens on it).</summary>
    public static int Free() => Free(1)[0];

    /// <summary>Loopback ports that were free a moment ago, all distinct: held open together until all are picked.</summary>
    public static int[] Free(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var l = new TcpListener(IPAddress.Loopback, 0);
                l.Start();
                listeners.Add(l);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var l in listeners)
            {
                l.Stop();
            }
        }
    }
}
