using Google.Protobuf;
using Microsoft.Extensions.Logging;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Transport.Tests;

// The listener's side of snapshot chunks, against hand-written frames on a real loopback socket.
public sealed class SnapshotChunkListenerTests
{
    private static readonly Message Snapshot = Messages.Snapshot(1, 2, index: 40, term: 6, []);

    [Fact]
    public async Task Chunks_are_joined_and_the_whole_snapshot_delivered_after_the_last()
    {
        await using var server = await TestSilo.StartAsync("silo-a");
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True((await client.ShakeHandsAsync(RawClient.Hello("silo-z"))).Accepted);
        var image = Messages.Image(1000);

        await client.SendFrameAsync(FrameKind.SnapshotChunk, Chunk(image, 0, 600, total: 1000, last: false));
        await client.SendFrameAsync(FrameKind.MessageBatch, Batch(Messages.Append(1, 2, 77)));
        await client.SendFrameAsync(FrameKind.SnapshotChunk, Chunk(image, 600, 400, total: 1000, last: true));
        var received = await server.Sink.Received.WaitForAsync(2);

        Assert.Equal([(9ul, MessageType.Append), (3ul, MessageType.Snapshot)], received.Select(d => (d.ShardId, d.Message.Type)));
        Assert.Equal("silo-z", received[1].Silo);
        Assert.Equal(image, received[1].Message.Snapshot!.Data.ToArray());
        Assert.Equal((40ul, 6ul), (received[1].Message.Snapshot!.Index, received[1].Message.Snapshot!.Term));
    }

    [Fact]
    public async Task A_connection_cut_mid_snapshot_delivers_nothing_and_another_connection_cannot_finish_it()
    {
        await using var server = await TestSilo.StartAsync("silo-a");
        var image = Messages.Image(1000);
        using (var first = await RawClient.ConnectAsync(server.EndPoint))
        {
            Assert.True((await first.ShakeHandsAsync(RawClient.Hello("silo-z"))).Accepted);
            await first.SendFrameAsync(FrameKind.SnapshotChunk, Chunk(image, 0, 600, total: 1000, last: false));
        }

        var dropped = await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4006);
        Assert.Contains(dropped, l => l.EventId == 4006 && l.Text.Contains("1 snapshots", StringComparison.Ordinal));

        using var second = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True((await second.ShakeHandsAsync(RawClient.Hello("silo-z"))).Accepted);
        await second.SendFrameAsync(FrameKind.SnapshotChunk, Chunk(image, 600, 400, total: 1000, last: true));

        Assert.True(await second.ClosedByServerAsync());
        var logged = await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4002);
        Assert.Contains(logged, l => l.Exception is FrameException { Message: var m } && m.Contains("continues nothing", StringComparison.Ordinal));
        Assert.Equal(0, server.Sink.Received.Count);
    }

    [Fact]
    public async Task An_oversized_announced_total_closes_that_connection_only()
    {
        const int Max = 64 * 1024;
        await using var server = await TestSilo.StartAsync("silo-a", maxSnapshotBytes: Max);
        using var rogue = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True((await rogue.ShakeHandsAsync(RawClient.Hello("rogue"))).Accepted);

        await rogue.SendFrameAsync(FrameKind.SnapshotChunk, Chunk(new byte[10], 0, 10, total: Max + 1, last: false));

        Assert.True(await rogue.ClosedByServerAsync());
        var logged = await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4002);
        Assert.Contains(logged, l => l.Level == LogLevel.Error && l.Exception is FrameException { Message: var m }
            && m.Contains($"{Max + 1} bytes exceeds the maximum of {Max}", StringComparison.Ordinal));

        // A snapshot of exactly the maximum from a well-behaved silo still gets through.
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-b");
        options.SnapshotChunkSize = 16 * 1024;
        await using var sender = new PeerSender("silo-a", server.EndPoint, options, reporter, TestOutputLogger.For("sender"));
        var image = Messages.Image(Max);
        sender.Send(5, Messages.Snapshot(1, 2, index: 12, term: 2, image));
        var received = await server.Sink.Received.WaitForAsync(1);
        Assert.Equal(("silo-b", 5ul), (received.Single().Silo, received.Single().ShardId));
        Assert.Equal(image, received.Single().Message.Snapshot!.Data.ToArray());
        Assert.Equal(0, reporter.Unreachable.Count);
    }

    public static TheoryData<int, ulong, string> BadSequences() => new()
    {
        // The first chunk carries image[0..firstLength) of 2000 announced bytes; the second, marked
        // last, carries firstLength bytes at secondOffset.
        { 500, 500, "ended after 1000 of its announced 2000" },
        { 500, 700, "expected 2000 at 500" },
        { 1500, 1500, "runs past the announced 2000" },
    };

    [Theory]
    [MemberData(nameof(BadSequences))]
    public async Task A_broken_chunk_sequence_closes_the_connection_and_delivers_nothing(int firstLength, ulong secondOffset, string fault)
    {
        await using var server = await TestSilo.StartAsync("silo-a");
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True((await client.ShakeHandsAsync(RawClient.Hello())).Accepted);
        var image = Messages.Image(3000);

        await client.SendFrameAsync(FrameKind.SnapshotChunk, Chunk(image, 0, firstLength, total: 2000, last: false));
        var second = Chunk(image, 0, firstLength, total: 2000, last: true);
        second.Offset = secondOffset;
        await client.SendFrameAsync(FrameKind.SnapshotChunk, second);

        Assert.True(await client.ClosedByServerAsync());
        var logged = await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4002);
        Assert.Contains(logged, l => l.Exception is FrameException { Message: var m } && m.Contains(fault, StringComparison.Ordinal));
        Assert.Equal(0, server.Sink.Received.Count);
    }

    [Fact]
    public async Task A_chunk_whose_header_is_not_a_snapshot_message_closes_the_connection()
    {
        await using var server = await TestSilo.StartAsync("silo-a");
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True((await client.ShakeHandsAsync(RawClient.Hello())).Accepted);
        var chunk = Chunk([1, 2], 0, 2, total: 2, last: true);
        chunk.Header = RaftWire.ToWire(Messages.Append(1, 2, 3));

        await client.SendFrameAsync(FrameKind.SnapshotChunk, chunk);

        Assert.True(await client.ClosedByServerAsync());
        await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4002);
        Assert.Equal(0, server.Sink.Received.Count);
    }

    private static SnapshotChunk Chunk(byte[] image, int offset, int length, ulong total, bool last)
    {
        var header = RaftWire.ToWire(Snapshot);
        return new SnapshotChunk
        {
            ShardId = 3,
            Header = header,
            TotalLength = total,
            Offset = (ulong)offset,
            Data = ByteString.CopyFrom(image, offset, length),
            Last = last,
        };
    }

    private static MessageBatch Batch(Message m) =>
        new() { Messages = { new ShardMessage { ShardId = 9, Message = RaftWire.ToWire(m) } } };
}
