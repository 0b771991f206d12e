using System.Buffers;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Gateway;

/// <summary>
/// Serves the client gateway port: checks the client's hello, then hands every request to the
/// <see cref="IClientRequestHandler"/> without waiting for earlier ones, and writes the answers
/// in whatever order they complete. A bad frame closes this connection only.
/// </summary>
public sealed class GatewayConnectionHandler : ConnectionHandler
{
    private readonly GatewayOptions _options;
    private readonly IClientRequestHandler _handler;
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    public GatewayConnectionHandler(IOptions<GatewayOptions> options, IClientRequestHandler handler,
        ILogger<GatewayConnectionHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _handler = handler;
        _logger = logger;
    }

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var remote = connection.RemoteEndPoint;
        var frames = new MessageFrameReader(connection.Transport.Input, _options.MaxFrameSize, Parse);

        // Kestrel asks connections to close when the server stops; honouring it keeps shutdown quick.
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested
            ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closing);
        try
        {
            if (!await HelloAsync(connection, frames, remote, stop.Token).ConfigureAwait(false))
            {
                return;
            }

            var served = new ClientConnection(connection.Transport.Output, _handler, _options, _logger, remote);
            await served.RunAsync(frames, stop.Token).ConfigureAwait(false);
        }
        catch (FrameException ex)
        {
            GatewayLog.BadFrame(_logger, remote, ex);
        }
        catch (OperationCanceledException)
        {
            // The connection was aborted or the server is stopping.
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            GatewayLog.ConnectionFailed(_logger, remote, ex);
        }
    }

    private static IMessage Parse(FrameKind kind, ReadOnlySequence<byte> payload) => kind switch
    {
        FrameKind.ClientHello => FrameFormat.Parse(ClientHello.Parser, kind, payload),
        FrameKind.ClientRequest => FrameFormat.Parse(ClientRequest.Parser, kind, payload),
        _ => throw new FrameException($"A client may not send a {kind} frame."),
    };

    // True when the client was accepted; false (after replying with the reason) when refused.
    private async Task<bool> HelloAsync(ConnectionContext connection, MessageFrameReader frames, EndPoint? remote,
        CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.HelloTimeout);
        (FrameKind Kind, IMessage Body)? first;
        try
        {
            first = await frames.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            GatewayLog.HelloTimedOut(_logger, remote, _options.HelloTimeout);
            return false;
        }

        if (first is null)
        {
            return false;
        }

        if (first.Value.Body is not ClientHello hello)
        {
            throw new FrameException($"Expected a client hello, got a {first.Value.Kind} frame.");
        }

        var reason = Refusal(hello);
        var output = connection.Transport.Output;
        var reply = new ClientHelloReply
        {
            Accepted = reason is null,
            Reason = reason ?? "",
            ClusterId = _options.ClusterId,
            SiloId = _options.SiloId,
        };
        FrameFormat.Write(output, FrameKind.ClientHelloReply, reply, _options.MaxFrameSize);
        await output.FlushAsync(timeout.Token).ConfigureAwait(false);
        if (reason is not null)
        {
            GatewayLog.HelloRefused(_logger, remote, reason);
            return false;
        }

        GatewayLog.ClientAccepted(_logger, hello.ClientName, remote);
        return true;
    }

    private string? Refusal(ClientHello hello)
    {
        if (hello.ClusterId.Length > 0 && hello.ClusterId != _options.ClusterId)
        {
            return $"cluster id mismatch: this gateway serves cluster '{_options.ClusterId}', the client wants '{hello.ClusterId}'";
        }

        return hello.ProtocolVersion != GatewayOptions.ProtocolVersion
            ? $"protocol version mismatch: this gateway speaks {GatewayOptions.ProtocolVersion}, the client {hello.ProtocolVersion}"
            : null;
    }
}
