using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client.Tests;

/// <summary>A hand-driven client socket that writes whatever bytes a test wants.</summary>
public sealed class RawGatewayClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private MessageFrameReader? _frames;

    public static async Task<RawGatewayClient> ConnectAsync(IPEndPoint endPoint)
    {
        var client = new RawGatewayClient();
        await client._socket.ConnectAsync(endPoint, TestContext.Current.CancellationToken);
        client._frames = new MessageFrameReader(PipeReader.Create(new NetworkStream(client._socket, ownsSocket: false)),
            int.MaxValue, Parse);
        return client;
    }

    public static ClientHello Hello(string clusterId = "test-cluster", uint version = 1) =>
        new() { ClusterId = clusterId, ClientName = "raw", ProtocolVersion = version };

    public async Task SendFrameAsync(FrameKind kind, IMessage body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameFormat.Write(buffer, kind, body, int.MaxValue);
        await SendAsync(buffer.WrittenMemory);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _socket.SendAsync(bytes, TestContext.Current.CancellationToken);

    public async Task<ClientHelloReply> HelloAsync(ClientHello hello)
    {
        await SendFrameAsync(FrameKind.ClientHello, hello);
        return Assert.IsType<ClientHelloReply>(await ReadAsync());
    }

    public async Task<IMessage?> ReadAsync()
    {
        var frame = await _frames!.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeouts.Guard);
        return frame?.Body;
    }

    /// <summary>True once the server has closed the connection (end of stream or reset).</summary>
    public async Task<bool> ClosedByServerAsync()
    {
        try
        {
            return await ReadAsync() is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();

    private static IMessage Parse(FrameKind kind, ReadOnlySequence<byte> payload) => kind switch
    {
        FrameKind.ClientHelloReply => ClientHelloReply.Parser.ParseFrom(payload),
        FrameKind.ClientResponse => ClientResponse.Parser.ParseFrom(payload),
        _ => throw new FrameException($"unexpected {kind}"),
    };
}
