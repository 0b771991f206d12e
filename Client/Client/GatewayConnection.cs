using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client;

/// <summary>
/// One client connection to a gateway: requests are tagged with ids and pipelined; a write loop
/// writes everything queued and flushes once per batch; a read loop completes each request's
/// waiter by id, in whatever order the answers come. When the connection breaks, every waiter
/// fails with <see cref="GatewayUnreachableException"/>.
/// </summary>
internal sealed class GatewayConnection : IAsyncDisposable
{
    /// <summary>The client protocol version.</summary>
    public const uint ProtocolVersion = 1;

    private readonly string _address;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly int _maxFrameSize;
    private readonly ConcurrentDictionary<ulong, Pending> _pending = new();
    private readonly Channel<Pending> _outgoing =
        Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private long _nextRequestId;
    private int _failed;

    private GatewayConnection(string address, Socket socket, int maxFrameSize)
    {
        _address = address;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream);
        _output = PipeWriter.Create(_stream);
        _maxFrameSize = maxFrameSize;
    }

    /// <summary>True once the connection broke or was disposed; a new one must be opened.</summary>
    public bool IsClosed => Volatile.Read(ref _failed) != 0;

    /// <summary>Connects to <paramref name="address"/> (<c>host:port</c>) and says hello.</summary>
    /// <exception cref="GatewayUnreachableException">Connecting failed, timed out, or the gateway refused the hello.</exception>
    public static async Task<GatewayConnection> ConnectAsync(string address, string clusterId, string clientName,
        int maxFrameSize, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var (host, port) = ParseAddress(address);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        GatewayConnection? connection = null;
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            connection = new GatewayConnection(address, socket, maxFrameSize);
            var hello = new ClientHello { ClusterId = clusterId, ClientName = clientName, ProtocolVersion = ProtocolVersion };
            FrameFormat.Write(connection._output, FrameKind.ClientHello, hello, maxFrameSize);
            await connection._output.FlushAsync(timeout.Token).ConfigureAwait(false);
            var frames = new MessageFrameReader(connection._input, maxFrameSize, Parse);
            var reply = await frames.ReadAsync(timeout.Token).ConfigureAwait(false);
            if (reply?.Body is not ClientHelloReply answer)
            {
                throw new GatewayUnreachableException(
                    $"The gateway at {address} answered the hello with {reply?.Kind.ToString() ?? "the end of the stream"}.");
            }

            if (!answer.Accepted)
            {
                throw new GatewayUnreachableException($"The gateway at {address} refused this client: {answer.Reason}");
            }

            connection._readLoop = connection.ReadLoopAsync(frames);
            connection._writeLoop = connection.WriteLoopAsync();
            return connection;
        }
        catch (Exception ex) when (ex is not GatewayUnreachableException
            && (ex is SocketException or IOException or FrameException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)))
        {
            await CloseQuietlyAsync(connection, socket).ConfigureAwait(false);
            throw new GatewayUnreachableException($"Cannot reach the gateway at {address}: {ex.Message}", ex);
        }
        catch
        {
            await CloseQuietlyAsync(connection, socket).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends <paramref name="request"/> (its request id is set here) and awaits its answer.</summary>
    /// <exception cref="GatewayUnreachableException">The connection is closed or broke before the answer.</exception>
    /// <exception cref="BadRequestException">The request is larger than a frame may be.</exception>
    public async Task<ClientResponse> SendAsync(ClientRequest request, CancellationToken cancellationToken)
    {
        var id = (ulong)Interlocked.Increment(ref _nextRequestId);
        request.RequestId = id;
        var pending = new Pending(request);
        _pending[id] = pending;

        // A failure that drained the map before this request was added would leave it waiting forever.
        if (IsClosed || !_outgoing.Writer.TryWrite(pending))
        {
            _pending.TryRemove(id, out _);
            throw new GatewayUnreachableException($"The connection to the gateway at {_address} is closed.");
        }

        using var registration = cancellationToken.Register(static state =>
        {
            var (self, id, token) = ((GatewayConnection, ulong, CancellationToken))state!;
            if (self._pending.TryRemove(id, out var p))
            {
                p.Completion.TrySetCanceled(token);
            }
        }, (this, id, cancellationToken));
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Fail(null);
        await _readLoop.ConfigureAwait(false);
        await _writeLoop.ConfigureAwait(false);
        await _input.CompleteAsync().ConfigureAwait(false);
        await _output.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _closed.Dispose();
    }

    private static IMessage Parse(FrameKind kind, ReadOnlySequence<byte> payload) => kind switch
    {
        FrameKind.ClientHelloReply => FrameFormat.Parse(ClientHelloReply.Parser, kind, payload),
        FrameKind.ClientResponse => FrameFormat.Parse(ClientResponse.Parser, kind, payload),
        _ => throw new FrameException($"A gateway may not send a {kind} frame."),
    };

    private static (string Host, int Port) ParseAddress(string address) =>
        HostPort.TryParse(address, out var host, out var port)
            ? (host, port)
            : throw new GatewayUnreachableException($"'{address}' is not a host:port gateway address.");

    private static async Task CloseQuietlyAsync(GatewayConnection? connection, Socket socket)
    {
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            socket.Dispose();
        }
    }

    private async Task ReadLoopAsync(MessageFrameReader frames)
    {
        Exception? error = null;
        try
        {
            while (await frames.ReadAsync(_closed.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame.Body is not ClientResponse response)
                {
                    throw new FrameException($"Expected a client response, got a {frame.Kind} frame.");
                }

                // An unknown id is an answer to a request whose caller gave up.
                if (_pending.TryRemove(response.RequestId, out var pending))
                {
                    pending.Completion.TrySetResult(response);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or FrameException or OperationCanceledException
            or ObjectDisposedException or InvalidOperationException)
        {
            error = ex;
        }

        Fail(error);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closed.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var pending))
                {
                    if (pending.Completion.Task.IsCompleted)
                    {
                        continue;
                    }

                    try
                    {
                        FrameFormat.Write(_output, FrameKind.ClientRequest, pending.Request, _maxFrameSize);
                    }
                    catch (FrameException ex)
                    {
                        // The size is checked before anything is written: the stream is intact.
                        _pending.TryRemove(pending.Request.RequestId, out _);
                        pending.Completion.TrySetException(new BadRequestException(ex.Message, isTooLarge: true));
                        continue;
                    }

                    pending.Written = true;
                }

                var flushed = await _output.FlushAsync(_closed.Token).ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException
            or ObjectDisposedException or InvalidOperationException)
        {
            Fail(ex);
            return;
        }

        Fail(null);
    }

    // Closes the connection once and fails every request still waiting.
    private void Fail(Exception? error)
    {
        if (Interlocked.Exchange(ref _failed, 1) == 0)
        {
            _outgoing.Writer.TryComplete();
            _closed.Cancel();
            _socket.Dispose();
        }

        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                var why = error?.Message ?? "the connection closed";
                pending.Completion.TrySetException(new GatewayUnreachableException(
                    $"The connection to the gateway at {_address} broke before the answer: {why}", error)
                { RequestWritten = pending.Written });
            }
        }

        // Requests queued but never taken by the write loop were never written.
        while (_outgoing.Reader.TryRead(out var unsent))
        {
            _pending.TryRemove(unsent.Request.RequestId, out _);
            unsent.Completion.TrySetException(new GatewayUnreachableException(
                $"The connection to the gateway at {_address} closed before the request was sent."));
        }
    }

    private sealed class Pending(ClientRequest request)
    {
        public ClientRequest Request { get; } = request;

        public TaskCompletionSource<ClientResponse> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Set by the write loop before the frame reaches the socket; read after the loop stopped.
        public volatile bool Written;
    }
}
