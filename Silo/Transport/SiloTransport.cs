using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiRaft.Raft;

namespace MultiRaft.Transport;

/// <summary>
/// The sending side of a silo: one <see cref="PeerSender"/> (one connection, one batching write
/// loop) per destination silo. The engine sends each Ready's messages here, keyed by the silo
/// that hosts the recipient replica.
/// </summary>
public sealed class SiloTransport : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PeerSender> _peers = new(StringComparer.Ordinal);
    // Serialises peer changes; sends read the dictionary without it.
    private readonly Lock _changes = new();
    private readonly TransportOptions _options;
    private readonly IUnreachableReporter _reporter;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the transport with no peers.</summary>
    public SiloTransport(IOptions<TransportOptions> options, IUnreachableReporter reporter, ILogger<SiloTransport> logger,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _options.Validate();
        _reporter = reporter;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Where <paramref name="siloId"/> listens; a changed address replaces its connection.</summary>
    public async ValueTask SetPeerAsync(string siloId, EndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        PeerSender? old;
        lock (_changes)
        {
            if (_peers.TryGetValue(siloId, out old) && old.EndPoint.Equals(endPoint))
            {
                return;
            }

            _peers[siloId] = new PeerSender(siloId, endPoint, _options, _reporter, _logger, _time);
        }

        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Forgets a silo (it left the cluster); its queued messages are reported unreachable.</summary>
    public async ValueTask RemovePeerAsync(string siloId)
    {
        PeerSender? sender;
        lock (_changes)
        {
            _peers.TryRemove(siloId, out sender);
        }

        if (sender is not null)
        {
            await sender.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Queues a message for a replica of <paramref name="shardId"/> on <paramref name="siloId"/>; an unknown silo is unreachable.</summary>
    public void Send(string siloId, ulong shardId, Message message)
    {
        if (_peers.TryGetValue(siloId, out var sender))
        {
            sender.Send(shardId, message);
        }
        else
        {
            _reporter.ReportUnreachable(siloId, shardId, message);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var id in _peers.Keys)
        {
            await RemovePeerAsync(id).ConfigureAwait(false);
        }
    }
}
