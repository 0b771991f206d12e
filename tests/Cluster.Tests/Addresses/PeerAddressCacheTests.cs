using System.Net;
using System.Net.Sockets;
using MultiRaft.Silo.Cluster;

namespace MultiRaft.Cluster.Tests.Addresses;

/// <summary>
/// Peer addresses are resolved once per TTL, not once per maintenance tick; failures are
/// retried soon; malformed addresses never reach DNS.
/// </summary>
public sealed class PeerAddressCacheTests
{
    private static readonly TimeSpan ResolvedTtl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FailedTtl = TimeSpan.FromSeconds(1);

    private readonly FakeClock _clock = new();
    private readonly List<string> _lookups = [];
    private Func<string, IPAddress[]> _answer = _ => [IPAddress.Parse("10.0.0.1")];

    private PeerAddressCache NewCache() => new(_clock, host =>
    {
        _lookups.Add(host);
        return _answer(host);
    }, ResolvedTtl, FailedTtl);

    private static IPEndPoint Resolved(PeerAddressCache cache, string address)
    {
        Assert.True(cache.TryResolve(address, out var endPoint));
        return endPoint;
    }

    [Theory]
    [InlineData("127.0.0.1:7000", "127.0.0.1", 7000)]
    [InlineData("[::1]:7001", "::1", 7001)]
    public void An_ip_literal_is_parsed_without_the_resolver(string address, string ip, int port)
    {
        var cache = NewCache();

        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), Resolved(cache, address));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), Resolved(cache, address));
        Assert.Empty(_lookups);
    }

    [Fact]
    public void A_host_name_is_resolved_once_within_the_ttl()
    {
        var cache = NewCache();

        for (var tick = 0; tick < 5; tick++)
        {
            Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 7000), Resolved(cache, "silo-a:7000"));
            _clock.Advance(ResolvedTtl / 5 - TimeSpan.FromTicks(1));
        }

        Assert.Equal(["silo-a"], _lookups);
    }

    [Fact]
    public void A_host_name_is_resolved_again_after_the_ttl()
    {
        var cache = NewCache();
        Resolved(cache, "silo-a:7000");
        _answer = _ => [IPAddress.Parse("10.0.0.2")];

        _clock.Advance(ResolvedTtl - TimeSpan.FromTicks(1));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 7000), Resolved(cache, "silo-a:7000"));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 7000), Resolved(cache, "silo-a:7000"));

        Assert.Equal(["silo-a", "silo-a"], _lookups);
    }

    [Fact]
    public void Each_address_is_cached_separately()
    {
        var cache = NewCache();

        Assert.Equal(7000, Resolved(cache, "silo-a:7000").Port);
        Assert.Equal(7001, Resolved(cache, "silo-a:7001").Port);
        Assert.Equal(7000, Resolved(cache, "silo-a:7000").Port);

        Assert.Equal(["silo-a", "silo-a"], _lookups);
    }

    [Fact]
    public void The_first_ipv4_address_is_preferred()
    {
        _answer = _ => [IPAddress.Parse("fe80::1"), IPAddress.Parse("10.0.0.7"), IPAddress.Parse("10.0.0.8")];

        Assert.Equal(IPAddress.Parse("10.0.0.7"), Resolved(NewCache(), "silo-a:7000").Address);
    }

    [Fact]
    public void A_failed_lookup_is_retried_after_the_failure_ttl_not_before()
    {
        var cache = NewCache();
        _answer = _ => throw new SocketException((int)SocketError.HostNotFound);

        Assert.False(cache.TryResolve("silo-late:7000", out _));
        _clock.Advance(FailedTtl - TimeSpan.FromTicks(1));
        Assert.False(cache.TryResolve("silo-late:7000", out _));
        Assert.Single(_lookups);

        _answer = _ => [IPAddress.Parse("10.0.0.9")];
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.9"), 7000), Resolved(cache, "silo-late:7000"));
        Assert.Equal(["silo-late", "silo-late"], _lookups);
    }

    [Fact]
    public void A_name_without_an_ipv4_address_is_a_failure_retried_after_the_failure_ttl()
    {
        var cache = NewCache();
        _answer = _ => [IPAddress.Parse("fe80::1")];

        Assert.False(cache.TryResolve("silo-v6:7000", out _));
        Assert.False(cache.TryResolve("silo-v6:7000", out _));
        _clock.Advance(FailedTtl);
        Assert.False(cache.TryResolve("silo-v6:7000", out _));

        Assert.Equal(["silo-v6", "silo-v6"], _lookups);
    }

    [Theory]
    [InlineData("nohost")]
    [InlineData("h:99999")]
    [InlineData("h:0")]
    [InlineData(":7000")]
    [InlineData("[]:7000")]
    [InlineData("h:port")]
    [InlineData("")]
    public void A_malformed_address_is_rejected_without_the_resolver(string address)
    {
        Assert.False(NewCache().TryResolve(address, out _));
        Assert.Empty(_lookups);
    }
}
