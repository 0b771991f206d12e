using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Gateway;

/// <summary>
/// One accepted client connection after its hello: a read loop that starts a handler call per
/// request (at most <see cref="GatewayOptions.MaxInflightPerConnection"/> at once) and a write
/// loop that takes every finished answer queued so far, writes them and flushes once.
/// </summary>
internal sealed class ClientConnection
{
    private readonly PipeWriter _output;
    private readonly IClientRequestHandler _handler;
    private readonly GatewayOptions _options;
    private readonly ILogger _logger;
    private readonly EndPoint? _remote;
    private readonly Channel<ClientResponse> _responses =
        Channel.CreateUnbounded<ClientResponse>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _room;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Handler calls still running, plus one held by the read loop until it ends.
    private int _inflight = 1;

    public ClientConnection(PipeWriter output, IClientRequestHandler handler, GatewayOptions options, ILogger logger,
        EndPoint? remote)
    {
        _output = output;
        _handler = handler;
        _options = options;
        _logger = logger;
        _remote = remote;
        _room = new SemaphoreSlim(options.MaxInflightPerConnection, options.MaxInflightPerConnection);
    }

    /// <summary>Serves requests until the client stops sending or breaks the protocol, then answers what is in flight.</summary>
    /// <exception cref="FrameException">A bad frame (after the handlers were told to stop and the writer drained).</exception>
    public async Task RunAsync(MessageFrameReader frames, CancellationToken stop)
    {
        using var handlers = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var writer = WriteLoopAsync(stop);
        try
        {
            while (await frames.ReadAsync(stop).ConfigureAwait(false) is { } frame)
            {
                if (frame.Body is not ClientRequest request)
                {
                    throw new FrameException($"Expected a client request, got a {frame.Kind} frame.");
                }

                await _room.WaitAsync(stop).ConfigureAwait(false);
                Interlocked.Increment(ref _inflight);
                _ = DispatchAsync(request, handlers.Token);
            }

            GatewayLog.ClientDisconnected(_logger, _remote);
        }
        catch
        {
            // Nothing more will be read: running handlers need not finish their work.
            await handlers.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (Interlocked.Decrement(ref _inflight) == 0)
            {
                _drained.TrySetResult();
            }

            await _drained.Task.ConfigureAwait(false);
            _responses.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            _room.Dispose();
        }
    }

    private async Task DispatchAsync(ClientRequest request, CancellationToken cancellationToken)
    {
        ClientResponse response;
        try
        {
            response = await _handler.HandleAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            GatewayLog.HandlerFailed(_logger, request.RequestId, _remote, ex);
            response = new ClientResponse { Status = ResponseStatus.Internal, Error = ex.Message };
        }

        response.RequestId = request.RequestId;
        _responses.Writer.TryWrite(response);
        _room.Release();
        if (Interlocked.Decrement(ref _inflight) == 0)
        {
            _drained.TrySetResult();
        }
    }

    private async Task WriteLoopAsync(CancellationToken stop)
    {
        var reader = _responses.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (reader.TryRead(out var response))
                {
                    Write(response);
                }

                var flushed = await _output.FlushAsync(stop).ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The connection is gone: nobody is left to answer.
        }
    }

    private void Write(ClientResponse response)
    {
        try
        {
            FrameFormat.Write(_output, FrameKind.ClientResponse, response, _options.MaxFrameSize);
        }
        catch (FrameException ex)
        {
            // Nothing was written for it (the size is checked first): answer with the reason instead.
            GatewayLog.Unsendable(_logger, response.RequestId, _remote, ex);
            var refusal = new ClientResponse { RequestId = response.RequestId, Status = ResponseStatus.Internal, Error = ex.Message };
            FrameFormat.Write(_output, FrameKind.ClientResponse, refusal, _options.MaxFrameSize);
        }
    }
}
