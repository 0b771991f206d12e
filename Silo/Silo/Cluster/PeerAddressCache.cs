using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MultiRaft.Grains.Interfaces;

namespace MultiRaft.Silo.Cluster;

/// <summary>
/// Turns silo addresses (<c>host:port</c>) into endpoints, remembering each host name's answer
/// for a while: the maintenance loop asks for every peer five times a second, and each
/// uncached lookup is a blocking DNS query on that loop.
/// </summary>
internal sealed class PeerAddressCache
{
    /// <summary>How long a resolved address is trusted before asking DNS again.</summary>
    public static readonly TimeSpan DefaultResolvedTtl = TimeSpan.FromSeconds(30);

    /// <summary>How long a failed lookup stands; short so a silo whose name appears in DNS late is found soon.</summary>
    public static readonly TimeSpan DefaultFailedTtl = TimeSpan.FromSeconds(1);

    // Join requests bring addresses from outside; past this many entries, expired ones are
    // swept on the next lookup so unknown names cannot grow the cache without bound.
    private const int SweepAbove = 256;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Func<string, IPAddress[]> _resolve;
    private readonly TimeSpan _resolvedTtl;
    private readonly TimeSpan _failedTtl;

    public PeerAddressCache(TimeProvider time, Func<string, IPAddress[]>? resolve = null,
        TimeSpan? resolvedTtl = null, TimeSpan? failedTtl = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _resolve = resolve ?? Dns.GetHostAddresses;
        _resolvedTtl = resolvedTtl ?? DefaultResolvedTtl;
        _failedTtl = failedTtl ?? DefaultFailedTtl;
    }

    /// <summary>
    /// The endpoint <paramref name="address"/> names: an IP literal as is, a host name by its
    /// first IPv4 address. False for a malformed address or a name that does not resolve.
    /// </summary>
    public bool TryResolve(string address, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (!HostPort.TryParse(address, out var host, out var port))
        {
            return false;
        }

        if (IPAddress.TryParse(host, out var literal))
        {
            endPoint = new IPEndPoint(literal, port);
            return true;
        }

        var now = _time.GetTimestamp();
        if (!_entries.TryGetValue(address, out var entry) || _time.GetElapsedTime(entry.ResolvedAt, now) >= entry.Ttl)
        {
            entry = Lookup(host, port, now);
            SweepIfLarge(now);
            _entries[address] = entry;
        }

        if (entry.EndPoint is null)
        {
            return false;
        }

        endPoint = entry.EndPoint;
        return true;
    }

    private Entry Lookup(string host, int port, long now)
    {
        IPAddress? ip;
        try
        {
            ip = _resolve(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        }
        catch (SocketException)
        {
            ip = null;
        }

        return ip is null
            ? new Entry(null, now, _failedTtl)
            : new Entry(new IPEndPoint(ip, port), now, _resolvedTtl);
    }

    private void SweepIfLarge(long now)
    {
        if (_entries.Count <= SweepAbove)
        {
            return;
        }

        foreach (var (address, entry) in _entries)
        {
            if (_time.GetElapsedTime(entry.ResolvedAt, now) >= entry.Ttl)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(address, entry));
            }
        }
    }

    /// <summary>One lookup's answer (null endpoint: it failed), trusted for <see cref="Ttl"/> after <see cref="ResolvedAt"/>.</summary>
    private sealed record Entry(IPEndPoint? EndPoint, long ResolvedAt, TimeSpan Ttl);
}
