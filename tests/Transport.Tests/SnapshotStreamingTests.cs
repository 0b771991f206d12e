using MultiRaft.Raft;

namespace MultiRaft.Transport.Tests;

// Snapshot messages stream in chunks between batches, end to end over real sockets.
public sealed class SnapshotStreamingTests
{
    [Fact]
    public async Task A_snapshot_bigger_than_a_frame_crosses_intact_while_later_messages_of_other_shards_overtake_it()
    {
        await using var b = await TestSilo.StartAsync("silo-b");
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        await using var sender = new PeerSender("silo-b", b.EndPoint, options, reporter, TestOutputLogger.For("sender"));
        var image = Messages.Image(40 * 1024 * 1024);
        Assert.True(image.Length > new TransportOptions().MaxFrameSize);
        var snapshot = Messages.Snapshot(1, 2, index: 500, term: 7, image);

        // The listener is held on the first delivery until everything is queued, so the sender is
        // stalled by full socket buffers a few chunks into the 40 MiB when the later messages arrive.
        using var gate = new ManualResetEventSlim();
        b.Sink.BeforeRecord = d =>
        {
            if (d.ShardId == 3)
            {
                Assert.True(gate.Wait(TestTimeouts.Guard));
            }
        };
        sender.Send(3, Messages.Append(1, 2, 1));
        sender.Send(1, snapshot);
        sender.Send(2, Messages.Append(1, 2, 2));
        sender.Send(2, new Message { Type = MessageType.Heartbeat, From = 1, To = 2, Term = 7 });
        gate.Set();

        var received = await b.Sink.Received.WaitForAsync(4);

        Assert.Equal([3ul, 2ul, 2ul, 1ul], received.Select(d => d.ShardId));
        Assert.Equal([MessageType.Append, MessageType.Append, MessageType.Heartbeat, MessageType.Snapshot],
            received.Select(d => d.Message.Type));
        var got = received[3].Message;
        Assert.Equal((1ul, 2ul, 7ul), (got.From, got.To, got.Term));
        Assert.Equal((500ul, 7ul), (got.Snapshot!.Index, got.Snapshot.Term));
        Assert.Equal(snapshot.Snapshot!.ConfState, got.Snapshot.ConfState);
        Assert.Equal(image.Length, got.Snapshot.Data.Length);
        Assert.True(image.AsSpan().SequenceEqual(got.Snapshot.Data.Span));
        Assert.Equal(0, reporter.Unreachable.Count);
    }

    [Fact]
    public async Task Chunks_carry_the_header_without_data_at_consecutive_offsets_up_to_a_last_chunk()
    {
        using var peer = new FakePeer();
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.SnapshotChunkSize = 1000;
        await using var sender = new PeerSender("silo-b", peer.EndPoint, options, reporter, TestOutputLogger.For("sender"));
        var snapshot = Messages.Snapshot(1, 2, index: 9, term: 4, Messages.Image(2500));

        sender.Send(6, snapshot);
        using var connection = await peer.AcceptAsync();
        await connection.ReadHandshakeAsync();
        await connection.ReplyAsync(accepted: true);
        var chunks = new[] { await connection.ReadChunkAsync(), await connection.ReadChunkAsync(), await connection.ReadChunkAsync() };

        Assert.Equal([(0ul, 1000, false), (1000ul, 1000, false), (2000ul, 500, true)],
            chunks.Select(c => (c.Offset, c.Data.Length, c.Last)));
        Assert.All(chunks, c =>
        {
            Assert.Equal((6ul, 2500ul), (c.ShardId, c.TotalLength));
            Assert.True(c.Header.Snapshot.Data.IsEmpty);
            Assert.Equal(9ul, c.Header.Snapshot.Metadata.Index);
        });
        Assert.Equal(snapshot.Snapshot!.Data.ToArray(), chunks.SelectMany(c => c.Data.ToByteArray()).ToArray());
    }

    [Fact]
    public async Task A_connection_cut_mid_snapshot_reports_the_snapshot_unreachable_and_the_sender_carries_on()
    {
        using var peer = new FakePeer(receiveBufferSize: 16 * 1024);
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.SnapshotChunkSize = 64 * 1024;
        await using var sender = new PeerSender("silo-b", peer.EndPoint, options, reporter, TestOutputLogger.For("sender"));
        var snapshot = Messages.Snapshot(1, 2, index: 30, term: 3, Messages.Image(16 * 1024 * 1024));

        sender.Send(1, snapshot);
        using (var connection = await peer.AcceptAsync())
        {
            await connection.ReadHandshakeAsync();
            await connection.ReplyAsync(accepted: true);
            var first = await connection.ReadChunkAsync();
            Assert.Equal((0ul, false), (first.Offset, first.Last));
        }

        var reported = await reporter.Unreachable.WaitForAsync(1);
        Assert.Equal(new Delivered("silo-b", 1, snapshot), reported.Single());

        sender.Send(2, Messages.Append(1, 2, 8));
        using var again = await peer.AcceptAsync();
        await again.ReadHandshakeAsync();
        await again.ReplyAsync(accepted: true);
        var batch = await again.ReadBatchAsync();
        Assert.Equal((2ul, 8ul), (batch.Messages.Single().ShardId, batch.Messages.Single().Message.Index));
        Assert.Equal(1, reporter.Unreachable.Count);
    }

    [Fact]
    public async Task A_snapshot_above_the_maximum_is_reported_and_not_sent()
    {
        using var peer = new FakePeer();
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.MaxSnapshotBytes = 1000;
        await using var sender = new PeerSender("silo-b", peer.EndPoint, options, reporter, TestOutputLogger.For("sender"));
        var big = Messages.Snapshot(1, 2, index: 5, term: 1, new byte[1001]);

        sender.Send(1, Messages.Append(1, 2, 1));
        using var connection = await peer.AcceptAsync();
        await connection.ReadHandshakeAsync();
        sender.Send(1, big);
        sender.Send(1, Messages.Append(1, 2, 2));
        await connection.ReplyAsync(accepted: true);

        var batch = await connection.ReadBatchAsync();

        Assert.Equal([1ul, 2ul], batch.Messages.Select(m => m.Message.Index));
        Assert.Equal(new Delivered("silo-b", 1, big), reporter.Unreachable.Snapshot().Single());
    }
}
