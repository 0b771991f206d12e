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
    private readonly CancellationTokenSource _closed = new();
    private Task _watch = Task.CompletedTask;

    private SiloConnection(Socket socket, int maxFrameSize)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream);
        _output = PipeWriter.Create(_stream);
        _maxFrameSize = maxFrameSize;
    }

    /// <summary>Signalled once the listener has closed the connection or broken the protocol.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Connects to <paramref name="endPoint"/> and shakes hands as the silo <paramref name="options"/> describes.</summary>
    /// <exception cref="HandshakeRefusedException">The listener refused us; the message is its reason.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    /// <exception cref="OperationCanceledException">The handshake timed out or <paramref name="cancellationToken"/> fired.</exception>
    public static async Task<SiloConnection> ConnectAsync(EndPoint endPoint, TransportOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
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

        var connection = new SiloConnection(socket, options.MaxFrameSize);
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

    /// <summary>Writes <paramref name="batch"/> as one frame and flushes it.</summary>
    /// <exception cref="FrameException">The batch is larger than a frame may be.</exception>
    public async ValueTask SendAsync(IMessage batch, CancellationToken cancellationToken)
    {
        FrameFormat.Write(_output, FrameKind.MessageBatch, batch, _maxFrameSize);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        var result = await _output.FlushAsync(linked.Token).ConfigureAwait(false);
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
        await _output.CompleteAsync().ConfigureAwait(false);
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
