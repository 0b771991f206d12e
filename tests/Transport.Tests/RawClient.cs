using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Transport.Tests;

/// <summary>A hand-driven client socket that writes whatever bytes a test wants.</summary>
public sealed class RawClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private FrameReader? _frames;

    public static async Task<RawClient> ConnectAsync(IPEndPoint endPoint)
    {
        var client = new RawClient();
        await client._socket.ConnectAsync(endPoint, TestContext.Current.CancellationToken);
        client._frames = new FrameReader(PipeReader.Create(new NetworkStream(client._socket, ownsSocket: false)), int.MaxValue);
        return client;
    }

    public static Handshake Hello(string siloId = "rogue", string clusterId = "test-cluster", uint version = TransportOptions.ProtocolVersion,
        string serviceId = "") =>
        new() { ClusterId = clusterId, SiloId = siloId, ProtocolVersion = version, ServiceId = serviceId };

    public async Task SendFrameAsync(FrameKind kind, IMessage body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameFormat.Write(buffer, kind, body, int.MaxValue);
        await SendAsync(buffer.WrittenMemory);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _socket.SendAsync(bytes, TestContext.Current.CancellationToken);

    public async Task<HandshakeReply> ShakeHandsAsync(Handshake hello)
    {
        await SendFrameAsync(FrameKind.Handshake, hello);
        var frame = await _frames!.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestTimeouts.Guard);
        return Assert.IsType<HandshakeReply>(frame!.Value.Body);
    }

    /// <summary>True once the server has closed the connection (end of stream or reset).</summary>
    public async Task<bool> ClosedByServerAsync()
    {
        try
        {
            var frame = await _frames!.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestTimeouts.Guard);
            return frame is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();
}
