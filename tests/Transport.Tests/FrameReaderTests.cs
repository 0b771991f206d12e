using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Transport.Tests;

public sealed class FrameReaderTests
{
    private const int Max = 4096;

    [Fact]
    public async Task Whole_frame_is_read_and_parsed()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame(FrameKind.Handshake, Hello()), Ct);

        var frame = await new FrameReader(pipe.Reader, Max).ReadAsync(Ct);

        Assert.Equal(FrameKind.Handshake, frame!.Value.Kind);
        Assert.Equal(Hello(), frame.Value.Body);
    }

    [Fact]
    public async Task Frame_split_into_single_bytes_is_reassembled()
    {
        var pipe = new Pipe();
        var reader = new FrameReader(pipe.Reader, Max);
        var bytes = Frame(FrameKind.MessageBatch, Batch(3));

        var read = reader.ReadAsync(Ct).AsTask();
        foreach (var b in bytes[..^1])
        {
            await pipe.Writer.WriteAsync(new[] { b }, Ct);
            Assert.False(read.IsCompleted);
        }

        await pipe.Writer.WriteAsync(bytes[^1..], Ct);
        var frame = await read.WaitAsync(TestTimeouts.Guard, Ct);

        Assert.Equal(Batch(3), frame!.Value.Body);
    }

    [Fact]
    public async Task Several_frames_in_one_write_come_out_one_by_one_then_end_cleanly()
    {
        var pipe = new Pipe();
        var reader = new FrameReader(pipe.Reader, Max);
        byte[] three = [.. Frame(FrameKind.Handshake, Hello()), .. Frame(FrameKind.MessageBatch, Batch(1)), .. Frame(FrameKind.MessageBatch, Batch(2))];
        await pipe.Writer.WriteAsync(three, Ct);
        await pipe.Writer.CompleteAsync();

        Assert.Equal(Hello(), (await reader.ReadAsync(Ct))!.Value.Body);
        Assert.Equal(Batch(1), (await reader.ReadAsync(Ct))!.Value.Body);
        Assert.Equal(Batch(2), (await reader.ReadAsync(Ct))!.Value.Body);
        Assert.Null(await reader.ReadAsync(Ct));
    }

    [Fact]
    public async Task Empty_payload_is_a_valid_frame()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame(FrameKind.MessageBatch, new MessageBatch()), Ct);

        var frame = await new FrameReader(pipe.Reader, Max).ReadAsync(Ct);

        Assert.Equal(new MessageBatch(), frame!.Value.Body);
    }

    [Fact]
    public async Task Oversized_frame_is_refused_from_its_header_alone()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Header(Max + 1, FrameKind.MessageBatch), Ct);

        var ex = await Assert.ThrowsAsync<FrameException>(async () => await new FrameReader(pipe.Reader, Max).ReadAsync(Ct));
        Assert.Contains("exceeds the maximum", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Frame_of_exactly_the_maximum_is_accepted()
    {
        var body = new HandshakeReply { Reason = new string('x', 100) };
        var size = body.CalculateSize();
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame(FrameKind.HandshakeReply, body), Ct);

        var frame = await new FrameReader(pipe.Reader, size).ReadAsync(Ct);

        Assert.Equal(body, frame!.Value.Body);
    }

    [Fact]
    public async Task Negative_length_is_refused()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Header(-1, FrameKind.MessageBatch), Ct);

        await Assert.ThrowsAsync<FrameException>(async () => await new FrameReader(pipe.Reader, Max).ReadAsync(Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(255)]
    public async Task Unknown_frame_kind_is_refused(byte kind)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Header(0, (FrameKind)kind), Ct);

        var ex = await Assert.ThrowsAsync<FrameException>(async () => await new FrameReader(pipe.Reader, Max).ReadAsync(Ct));
        Assert.Contains("Unknown frame kind", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_payload_is_refused()
    {
        var pipe = new Pipe();
        byte[] garbage = [.. Header(5, FrameKind.MessageBatch), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        await pipe.Writer.WriteAsync(garbage, Ct);

        var ex = await Assert.ThrowsAsync<FrameException>(async () => await new FrameReader(pipe.Reader, Max).ReadAsync(Ct));
        Assert.IsType<InvalidProtocolBufferException>(ex.InnerException);
    }

    [Fact]
    public async Task Stream_ending_inside_a_frame_is_refused()
    {
        var pipe = new Pipe();
        var bytes = Frame(FrameKind.MessageBatch, Batch(2));
        await pipe.Writer.WriteAsync(bytes[..^3], Ct);
        await pipe.Writer.CompleteAsync();

        var ex = await Assert.ThrowsAsync<FrameException>(async () => await new FrameReader(pipe.Reader, Max).ReadAsync(Ct));
        Assert.Contains("ended inside a frame", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_a_frame_above_the_maximum_throws_and_writes_nothing()
    {
        var buffer = new ArrayBufferWriter<byte>();

        Assert.Throws<FrameException>(() => FrameFormat.Write(buffer, FrameKind.MessageBatch, Batch(50), 64));
        Assert.Equal(0, buffer.WrittenCount);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Handshake Hello() => new() { ClusterId = "c", SiloId = "s1", ServiceId = "svc", ProtocolVersion = 1 };

    private static MessageBatch Batch(int n)
    {
        var batch = new MessageBatch();
        for (var i = 0; i < n; i++)
        {
            batch.Messages.Add(new ShardMessage
            {
                ShardId = (ulong)i,
                Message = new RaftMessage { Type = RaftMessageType.Heartbeat, To = 2, From = 1, Term = (ulong)i },
            });
        }

        return batch;
    }

    private static byte[] Frame(FrameKind kind, IMessage body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameFormat.Write(buffer, kind, body, int.MaxValue);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Header(int length, FrameKind kind)
    {
        var header = new byte[FrameFormat.HeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(header, length);
        header[4] = (byte)kind;
        return header;
    }
}
