using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Transport;

/// <summary>
/// The connecting side of one silo-to-silo connection: it shakes hands, then only writes frames.
/// The listener never writes after its reply, so anything it sends, or the end of its stream,
/// means the connection is over (<see cref="Closed"/>).
/// </summary>
public sealed class SiloConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly int _maxFrameSize;
    private readonly TimeSpan _writeTimeout;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _closed = new();
    private Task _watch = Task.CompletedTask;

    private SiloConnection(Socket socket, TransportOptions options, TimeProvider time)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream);
        _output = PipeWriter.Create(_stream);
        _maxFrameSize = options.MaxFrameSize;
        _writeTimeout = options.WriteTimeout;
        _time = time;
    }

    /// <summary>Signalled once the listener has closed the connection or broken the protocol.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Connects to <paramref name="endPoint"/> and shakes hands as the silo <paramref name="options"/> describes.</summary>
    /// <exception cref="HandshakeRefusedException">The listener refused us; the message is its reason.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    /// <exception cref="OperationCanceledException">The handshake timed out or <paramref name="cancellationToken"/> fired.</exception>
    public static Task<SiloConnection> ConnectAsync(EndPoint endPoint, TransportOptions options,
        CancellationToken cancellationToken) => ConnectAsync(endPoint, options, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Connects to <paramref name="endPoint"/> and shakes hands as the silo <paramref name="options"/> describes;
    /// <paramref name="time"/> runs the write timeout.
    /// </summary>
    /// <exception cref="HandshakeRefusedException">The listener refused us; the message is its reason.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    /// <exception cref="OperationCanceledException">The handshake timed out or <paramref name="cancellationToken"/> fired.</exception>
    public static async Task<SiloConnection> ConnectAsync(EndPoint endPoint, TransportOptions options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new SiloConnection(socket, options, time);
        try
        {
            var hello = new Handshake
            {
                ClusterId = options.ClusterId,
                ServiceId = options.ServiceId,
                SiloId = options.SiloId,
                ProtocolVersion = TransportOptions.ProtocolVersion,
            };
            FrameFormat.Write(connection._output, FrameKind.Handshake, hello, options.MaxFrameSize);
            await connection._output.FlushAsync(timeout.Token).ConfigureAwait(false);
            var frames = new FrameReader(connection._input, options.MaxFrameSize);
            var reply = await frames.ReadAsync(timeout.Token).ConfigureAwait(false);
            if (reply?.Body is not HandshakeReply answer)
            {
                throw new IOException($"The listener at {endPoint} answered the handshake with {reply?.Kind.ToString() ?? "end of stream"}.");
            }

            if (!answer.Accepted)
            {
                throw new HandshakeRefusedException(answer.Reason);
            }

            connection._watch = connection.WatchAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes <paramref name="batch"/> as one <see cref="FrameKind.MessageBatch"/> frame and flushes it.</summary>
    /// <exception cref="FrameException">The batch is larger than a frame may be.</exception>
    /// <exception cref="TimeoutException">The write did not complete within the write timeout.</exception>
    public ValueTask SendAsync(IMessage batch, CancellationToken cancellationToken) =>
        SendAsync(FrameKind.MessageBatch, batch, cancellationToken);

    /// <summary>
    /// Writes <paramref name="body"/> as one frame of <paramref name="kind"/> and flushes it. A flush
    /// that outlasts the write timeout (the peer stopped reading) throws; the caller then drops the connection.
    /// </summary>
    /// <exception cref="FrameException">The body is larger than a frame may be.</exception>
    /// <exception cref="TimeoutException">The write did not complete within the write timeout.</exception>
    public async ValueTask SendAsync(FrameKind kind, IMessage body, CancellationToken cancellationToken)
    {
        FrameFormat.Write(_output, kind, body, _maxFrameSize);
        using var timeout = new CancellationTokenSource(_writeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token, timeout.Token);
        // Closing the socket surely ends a write stuck in the kernel, whatever the stream does with the token.
        using var abort = timeout.Token.Register(static s => ((Socket)s!).Dispose(), _socket);
        FlushResult result;
        try
        {
            result = await _output.FlushAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Writing a {kind} frame took longer than {_writeTimeout}.", ex);
        }

        if (result.IsCompleted)
        {
            throw new IOException("The connection is closed.");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _watch.ConfigureAwait(false);
        await _input.CompleteAsync().ConfigureAwait(false);
        // With an exception the writer drops what a failed or timed-out flush left buffered
        // instead of writing it to the closed socket.
        await _output.CompleteAsync(new ObjectDisposedException(nameof(SiloConnection))).ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _closed.Dispose();
    }

    private async Task WatchAsync()
    {
        try
        {
            await _input.ReadAsync(_closed.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // However the read ends, the connection is over.
        }

        await _closed.CancelAsync().ConfigureAwait(false);
    }
}
