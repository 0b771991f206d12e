using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MultiRaft.Nemesis;

/// <summary>
/// Relays TCP connections accepted on one address to another endpoint (a TCP host and port, or
/// a Unix socket): how silos in network namespaces reach a PostgreSQL server that listens only
/// in the root namespace (on loopback, say). It listens on the bridge's address, which every
/// namespace reaches and no partition cuts, so the database behaves like a separate host that
/// every silo can always reach. Disposing closes the listener and every relayed connection.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<CancellationToken, ValueTask<Socket>> _connect;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accepting;

    private TcpRelay(TcpListener listener, Func<CancellationToken, ValueTask<Socket>> connect)
    {
        _listener = listener;
        _connect = connect;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>
    /// Listens on <paramref name="address"/> (a free port) and relays every connection to
    /// <paramref name="host"/>:<paramref name="port"/>, or to PostgreSQL's Unix socket in the
    /// directory <paramref name="host"/> when it is a path (as Npgsql reads a Host).
    /// </summary>
    public static TcpRelay Start(IPAddress address, string host, int port)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        return new TcpRelay(listener, async ct =>
        {
            Socket socket;
            EndPoint target;
            if (host.StartsWith('/'))
            {
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                target = new UnixDomainSocketEndPoint(Path.Combine(host, $".s.PGSQL.{port}"));
            }
            else
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                target = new DnsEndPoint(host, port);
            }

            try
            {
                await socket.ConnectAsync(target, ct);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        });
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var s in _open.Keys)
        {
            s.Dispose();
        }

        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inbound;
            try
            {
                inbound = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(Socket inbound)
    {
        inbound.NoDelay = true;
        _open[inbound] = 0;
        Socket? outbound = null;
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(5));
            outbound = await _connect(connectTimeout.Token);
            _open[outbound] = 0;
            // Either side closing (a killed silo, the server ending a session) ends both.
            await Task.WhenAny(PumpAsync(inbound, outbound), PumpAsync(outbound, inbound));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The upstream did not answer: the client sees its connection close, as with a server that is down.
        }
        finally
        {
            _open.TryRemove(inbound, out _);
            inbound.Dispose();
            if (outbound is not null)
            {
                _open.TryRemove(outbound, out _);
                outbound.Dispose();
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        try
        {
            await using var source = new NetworkStream(from, ownsSocket: false);
            await using var sink = new NetworkStream(to, ownsSocket: false);
            await source.CopyToAsync(sink, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
    }
}
