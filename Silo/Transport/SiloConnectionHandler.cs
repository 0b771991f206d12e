using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Transport;

/// <summary>
/// Serves the silo-to-silo port: checks the handshake, then hands every message of every batch to
/// the <see cref="IMessageSink"/>; snapshot chunks are joined and the whole snapshot message
/// delivered after its last chunk. A bad frame or message closes this connection only.
/// </summary>
public sealed class SiloConnectionHandler : ConnectionHandler
{
    private readonly TransportOptions _options;
    private readonly IMessageSink _sink;
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    public SiloConnectionHandler(IOptions<TransportOptions> options, IMessageSink sink, ILogger<SiloConnectionHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _sink = sink;
        _logger = logger;
    }

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var remote = connection.RemoteEndPoint;
        var frames = new FrameReader(connection.Transport.Input, _options.MaxFrameSize);

        // Kestrel asks connections to close when the server stops; without honouring it, shutdown
        // would wait for every peer to hang up (or for the shutdown timeout).
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested
            ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closing);
        SnapshotAssembler? snapshots = null;
        try
        {
            var peer = await HandshakeAsync(connection, frames, remote, stop.Token).ConfigureAwait(false);
            if (peer is null)
            {
                return;
            }

            snapshots = new SnapshotAssembler(_options.MaxSnapshotBytes);
            while (await frames.ReadAsync(stop.Token).ConfigureAwait(false) is { } frame)
            {
                switch (frame.Body)
                {
                    case MessageBatch batch:
                        Deliver(peer, batch);
                        break;
                    case SnapshotChunk chunk:
                        if (snapshots.Add(chunk) is { } whole)
                        {
                            _sink.Deliver(peer, whole.ShardId, whole.Message);
                        }

                        break;
                    default:
                        throw new FrameException($"Expected a message batch or a snapshot chunk, got a {frame.Kind} frame.");
                }
            }

            TransportLog.PeerDisconnected(_logger, peer, remote);
        }
        catch (FrameException ex)
        {
            TransportLog.BadFrame(_logger, remote, ex);
        }
        catch (OperationCanceledException)
        {
            // The connection was aborted or the server is stopping.
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            TransportLog.ConnectionFailed(_logger, remote, ex);
        }
        finally
        {
            // Partial snapshots die with their connection; the sender reports them unreachable.
            if (snapshots is { PartialCount: > 0 } left)
            {
                TransportLog.PartialSnapshotsDropped(_logger, remote, left.PartialCount);
            }
        }
    }

    private void Deliver(string peer, MessageBatch batch)
    {
        // Decode the whole batch first: a malformed message rejects the frame before any of it is delivered.
        var decoded = new Raft.Message[batch.Messages.Count];
        for (var i = 0; i < decoded.Length; i++)
        {
            var wire = batch.Messages[i].Message ?? throw new FrameException($"Message {i} of a batch is empty.");
            try
            {
                decoded[i] = RaftWire.FromWire(wire);
            }
            catch (FormatException ex)
            {
                throw new FrameException($"Message {i} of a batch is malformed.", ex);
            }
        }

        for (var i = 0; i < decoded.Length; i++)
        {
            _sink.Deliver(peer, batch.Messages[i].ShardId, decoded[i]);
        }
    }

    // The peer's silo id when accepted; null (after replying with the reason) when refused.
    private async Task<string?> HandshakeAsync(ConnectionContext connection, FrameReader frames, EndPoint? remote,
        CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.HandshakeTimeout);
        (FrameKind Kind, Google.Protobuf.IMessage Body)? first;
        try
        {
            first = await frames.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            TransportLog.HandshakeTimedOut(_logger, remote, _options.HandshakeTimeout);
            return null;
        }

        if (first is null)
        {
            return null;
        }

        if (first.Value.Body is not Handshake hello)
        {
            throw new FrameException($"Expected a handshake, got a {first.Value.Kind} frame.");
        }

        var reason = Refusal(hello);
        var output = connection.Transport.Output;
        FrameFormat.Write(output, FrameKind.HandshakeReply,
            new HandshakeReply { Accepted = reason is null, Reason = reason ?? "" }, _options.MaxFrameSize);
        await output.FlushAsync(timeout.Token).ConfigureAwait(false);
        if (reason is not null)
        {
            TransportLog.HandshakeRefused(_logger, remote, reason);
            return null;
        }

        TransportLog.PeerAccepted(_logger, hello.SiloId, hello.ClusterId, remote);
        return hello.SiloId;
    }

    private string? Refusal(Handshake hello)
    {
        if (hello.ClusterId != _options.ClusterId)
        {
            return $"cluster id mismatch: this silo is in cluster '{_options.ClusterId}', the peer in '{hello.ClusterId}'";
        }

        // An empty service id (a peer that does not say) is accepted; another one is not.
        if (hello.ServiceId.Length > 0 && hello.ServiceId != _options.ServiceId)
        {
            return $"service id mismatch: this silo serves '{_options.ServiceId}', the peer '{hello.ServiceId}'";
        }

        if (hello.ProtocolVersion != TransportOptions.ProtocolVersion)
        {
            return $"protocol version mismatch: this silo speaks {TransportOptions.ProtocolVersion}, the peer {hello.ProtocolVersion}";
        }

        return string.IsNullOrEmpty(hello.SiloId) ? "the handshake names no silo" : null;
    }
}
