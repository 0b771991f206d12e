using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client.Tests;

/// <summary>A hand-driven gateway: accepts one connection at a time and lets the test speak frames on it.</summary>
public sealed class RawGatewayServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public RawGatewayServer() => _listener.Start();

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public async Task<Connection> AcceptAsync()
    {
        var socket = await _listener.AcceptSocketAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeouts.Guard);
        return new Connection(socket);
    }

    public void Dispose() => _listener.Dispose();

    public sealed class Connection : IDisposable
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly MessageFrameReader _frames;

        public Connection(Socket socket)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _frames = new MessageFrameReader(PipeReader.Create(_stream), int.MaxValue, Parse);
        }

        public async Task<ClientHello> AcceptHelloAsync()
        {
            var hello = Assert.IsType<ClientHello>(await ReadAsync());
            await WriteAsync(FrameKind.ClientHelloReply, new ClientHelloReply { Accepted = true, SiloId = "raw" });
            return hello;
        }

        public async Task<ClientRequest> ReadRequestAsync() => Assert.IsType<ClientRequest>(await ReadAsync());

        public Task AnswerAsync(ClientResponse response) => WriteAsync(FrameKind.ClientResponse, response);

        public void Dispose() => _stream.Dispose();

        private async Task<IMessage?> ReadAsync()
        {
            var frame = await _frames.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeouts.Guard);
            return frame?.Body;
        }

        private async Task WriteAsync(FrameKind kind, IMessage body)
        {
            var buffer = new ArrayBufferWriter<byte>();
            FrameFormat.Write(buffer, kind, body, int.MaxValue);
            await _socket.SendAsync(buffer.WrittenMemory, TestContext.Current.CancellationToken);
        }

        private static IMessage Parse(FrameKind kind, ReadOnlySequence<byte> payload) => kind switch
        {
            FrameKind.ClientHello => ClientHello.Parser.ParseFrom(payload),
            FrameKind.ClientRequest => ClientRequest.Parser.ParseFrom(payload),
            _ => throw new FrameException($"unexpected {kind}"),
        };
    }
}
