using System.Buffers.Binary;
using System.Net;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Raft;
using MultiRaft.Tests.Support;

namespace MultiRaft.Transport.Tests;

// Real Kestrel listeners and real sockets on 127.0.0.1. Every wait is on a signal; the timeouts
// only turn a hang into a failure.
public sealed class LoopbackTransportTests
{
    [Fact]
    public async Task Two_silos_exchange_batches_both_ways()
    {
        await using var a = await TestSilo.StartAsync("silo-a");
        await using var b = await TestSilo.StartAsync("silo-b");
        var reporter = new RecordingReporter();
        await using var aToB = new PeerSender("silo-b", b.EndPoint, Messages.Client("silo-a"), reporter, TestOutputLogger.For("sender"));
        await using var bToA = new PeerSender("silo-a", a.EndPoint, Messages.Client("silo-b"), reporter, TestOutputLogger.For("sender"));

        aToB.Send(7, Messages.Append(1, 2, 10, [42]));
        aToB.Send(8, new Message { Type = MessageType.Vote, From = 1, To = 3, Term = 5, LogTerm = 4, Index = 9 });
        bToA.Send(7, new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 3, Index = 11 });

        var atB = await b.Sink.Received.WaitForAsync(2);
        var atA = await a.Sink.Received.WaitForAsync(1);

        Assert.All(atB, d => Assert.Equal("silo-a", d.Silo));
        Assert.Equal([7ul, 8ul], atB.Select(d => d.ShardId));
        Assert.Equal(MessageType.Append, atB[0].Message.Type);
        Assert.Equal([42], atB[0].Message.Entries.Single().Data.ToArray());
        Assert.Equal((MessageType.Vote, 3ul, 5ul), (atB[1].Message.Type, atB[1].Message.To, atB[1].Message.Term));
        Assert.Equal(("silo-b", 7ul, MessageType.AppendResponse, 11ul),
            (atA[0].Silo, atA[0].ShardId, atA[0].Message.Type, atA[0].Message.Index));
        Assert.Equal(0, reporter.Unreachable.Count);
    }

    [Fact]
    public async Task Wrong_cluster_id_is_refused_with_the_reason()
    {
        await using var server = await TestSilo.StartAsync("silo-a", clusterId: "prod");

        var ex = await Assert.ThrowsAsync<HandshakeRefusedException>(() =>
            SiloConnection.ConnectAsync(server.EndPoint, Messages.Client("intruder", clusterId: "staging"), TestContext.Current.CancellationToken));

        Assert.Contains("cluster id mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'prod'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'staging'", ex.Message, StringComparison.Ordinal);
        await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4001 && l.Text.Contains("cluster id mismatch", StringComparison.Ordinal));
        Assert.Equal(0, server.Sink.Received.Count);
    }

    [Fact]
    public async Task Sender_to_another_cluster_reports_its_messages_unreachable()
    {
        await using var server = await TestSilo.StartAsync("silo-a", clusterId: "prod");
        var reporter = new RecordingReporter();
        await using var sender = new PeerSender("silo-a", server.EndPoint, Messages.Client("intruder", clusterId: "staging"),
            reporter, TestOutputLogger.For("sender"));

        var message = Messages.Append(1, 2, 3);
        sender.Send(4, message);

        var reported = await reporter.Unreachable.WaitForAsync(1);
        Assert.Equal(new Delivered("silo-a", 4, message), reported.Single());
        Assert.Equal(0, server.Sink.Received.Count);
    }

    [Fact]
    public async Task Peer_that_is_down_is_reported_unreachable_and_reached_once_it_starts()
    {
        var port = Ports.Free();
        var reporter = new RecordingReporter();
        await using var sender = new PeerSender("silo-b", new IPEndPoint(IPAddress.Loopback, port), Messages.Client("silo-a"),
            reporter, TestOutputLogger.For("sender"));

        // Each queued message triggers a connection attempt, which fails while nobody listens.
        var first = Messages.Append(1, 2, 1);
        sender.Send(1, first);
        await reporter.Unreachable.WaitForAsync(1);
        var second = Messages.Append(1, 2, 2);
        sender.Send(1, second);
        var reported = await reporter.Unreachable.WaitForAsync(2);
        Assert.Equal([first, second], reported.Select(d => d.Message));

        await using var b = await TestSilo.StartAsync("silo-b", port: port);
        var third = Messages.Append(1, 2, 3);
        sender.Send(1, third);

        var received = await b.Sink.Received.WaitForAsync(1);
        Assert.Equal(3ul, received.Single().Message.Index);
        Assert.Equal(2, reporter.Unreachable.Count);
    }

    [Fact]
    public async Task Ten_thousand_messages_for_a_hundred_shards_arrive_complete_and_in_order_per_shard()
    {
        const int Shards = 100;
        const int PerShard = 100;
        await using var b = await TestSilo.StartAsync("silo-b");
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.SendQueueCapacity = Shards * PerShard;
        await using var sender = new PeerSender("silo-b", b.EndPoint, options, reporter, TestOutputLogger.For("sender"));

        for (var i = 0; i < PerShard; i++)
        {
            for (var shard = 0; shard < Shards; shard++)
            {
                sender.Send((ulong)shard, Messages.Append(1, 2, (ulong)i, new byte[100]));
            }
        }

        var received = await b.Sink.Received.WaitForAsync(Shards * PerShard);

        Assert.Equal(Shards * PerShard, received.Count);
        var perShard = received.GroupBy(d => d.ShardId).ToDictionary(g => g.Key, g => g.Select(d => d.Message.Index).ToArray());
        Assert.Equal(Shards, perShard.Count);
        var expected = Enumerable.Range(0, PerShard).Select(i => (ulong)i).ToArray();
        Assert.All(perShard.Values, indexes => Assert.Equal(expected, indexes));
        Assert.Equal(0, reporter.Unreachable.Count);
    }

    [Fact]
    public async Task Oversized_frame_closes_that_connection_and_the_server_keeps_serving_others()
    {
        const int Max = 64 * 1024;
        await using var server = await TestSilo.StartAsync("silo-a", maxFrameSize: Max);
        using var rogue = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True((await rogue.ShakeHandsAsync(RawClient.Hello("rogue"))).Accepted);

        // Only the header of a frame one byte over the maximum: it is refused before its payload.
        var header = new byte[FrameFormat.HeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(header, Max + 1);
        header[4] = (byte)FrameKind.MessageBatch;
        await rogue.SendAsync(header);

        Assert.True(await rogue.ClosedByServerAsync());
        var logged = await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4002);
        Assert.Contains(logged, l => l.EventId == 4002 && l.Level == Microsoft.Extensions.Logging.LogLevel.Error
            && l.Exception is FrameException { Message: var m } && m.Contains("exceeds the maximum", StringComparison.Ordinal));

        var reporter = new RecordingReporter();
        await using var sender = new PeerSender("silo-a", server.EndPoint, Messages.Client("silo-b"), reporter, TestOutputLogger.For("sender"));
        sender.Send(9, Messages.Append(1, 2, 5));
        var received = await server.Sink.Received.WaitForAsync(1);
        Assert.Equal(("silo-b", 9ul), (received.Single().Silo, received.Single().ShardId));
        Assert.Equal(1, server.Sink.Received.Count);
    }

    [Fact]
    public async Task A_frame_larger_than_kestrels_default_input_buffer_is_received()
    {
        const int Max = 4 * 1024 * 1024;
        await using var b = await TestSilo.StartAsync("silo-b", maxFrameSize: Max);
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.MaxFrameSize = Max;
        await using var sender = new PeerSender("silo-b", b.EndPoint, options, reporter, TestOutputLogger.For("sender"));

        // 3 MiB in one message: above Kestrel's default 1 MiB input buffer, below the frame maximum.
        var payload = new byte[3 * 1024 * 1024];
        payload[^1] = 7;
        sender.Send(1, Messages.Append(1, 2, 1, payload));

        var received = await b.Sink.Received.WaitForAsync(1);
        Assert.Equal(payload, received.Single().Message.Entries.Single().Data.ToArray());
        Assert.Equal(0, reporter.Unreachable.Count);
    }
}
