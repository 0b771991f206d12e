using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Transport.Tests;

/// <summary>
/// A hand-driven listener: the test decides when the handshake is answered and reads the raw
/// frames a <see cref="PeerSender"/> writes, so batching can be observed exactly.
/// </summary>
public sealed class FakePeer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public FakePeer() => _listener.Start();

    /// <summary>A listener whose accepted sockets have a small receive buffer, so a peer that stops reading stalls the writer soon.</summary>
    public FakePeer(int receiveBufferSize)
    {
        _listener.Server.ReceiveBufferSize = receiveBufferSize;
        _listener.Start();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public async Task<Accepted> AcceptAsync()
    {
        var socket = await _listener.AcceptSocketAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestTimeouts.Guard);
        var stream = new NetworkStream(socket, ownsSocket: true);
        return new Accepted(stream);
    }

    public void Dispose() => _listener.Dispose();

    public sealed class Accepted : IDisposable
    {
        private readonly NetworkStream _stream;
        private readonly FrameReader _frames;

        public Accepted(NetworkStream stream)
        {
            _stream = stream;
            _frames = new FrameReader(PipeReader.Create(stream), int.MaxValue);
        }

        public async Task<(FrameKind Kind, IMessage Body)> ReadFrameAsync()
        {
            var frame = await _frames.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestTimeouts.Guard);
            Assert.NotNull(frame);
            return frame.Value;
        }

        public async Task<Handshake> ReadHandshakeAsync() => Assert.IsType<Handshake>((await ReadFrameAsync()).Body);

        public async Task<MessageBatch> ReadBatchAsync() => Assert.IsType<MessageBatch>((await ReadFrameAsync()).Body);

        public async Task<SnapshotChunk> ReadChunkAsync() => Assert.IsType<SnapshotChunk>((await ReadFrameAsync()).Body);

        public async Task ReplyAsync(bool accepted, string reason = "")
        {
            var buffer = new ArrayBufferWriter<byte>();
            FrameFormat.Write(buffer, FrameKind.HandshakeReply, new HandshakeReply { Accepted = accepted, Reason = reason }, int.MaxValue);
            await _stream.WriteAsync(buffer.WrittenMemory, TestContext.Current.CancellationToken);
        }

        public void Dispose() => _stream.Dispose();
    }
}
