using MultiRaft.Raft;

namespace MultiRaft.Transport.Tests;

// The sender against a hand-driven listener: messages queued while the handshake is pending
// show exactly how the write loop batches, splits and drops.
public sealed class PeerSenderBatchingTests
{
    [Fact]
    public async Task Everything_queued_goes_out_as_one_batch_frame_for_all_shards()
    {
        using var peer = new FakePeer();
        var reporter = new RecordingReporter();
        await using var sender = new PeerSender("silo-b", peer.EndPoint, Messages.Client("silo-a"), reporter, TestOutputLogger.For("sender"));

        sender.Send(1, Messages.Append(1, 2, 10));
        using var connection = await peer.AcceptAsync();
        var hello = await connection.ReadHandshakeAsync();
        sender.Send(2, Messages.Append(1, 2, 20));
        sender.Send(3, Messages.Append(1, 2, 30));
        await connection.ReplyAsync(accepted: true);

        var batch = await connection.ReadBatchAsync();

        Assert.Equal(("test-cluster", "silo-a", TransportOptions.ProtocolVersion), (hello.ClusterId, hello.SiloId, hello.ProtocolVersion));
        Assert.Equal([1ul, 2ul, 3ul], batch.Messages.Select(m => m.ShardId));
        Assert.Equal([10ul, 20ul, 30ul], batch.Messages.Select(m => m.Message.Index));
        Assert.Equal(0, reporter.Unreachable.Count);
    }

    [Fact]
    public async Task A_batch_is_split_at_the_frame_size_and_an_oversized_message_is_reported()
    {
        using var peer = new FakePeer();
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.MaxFrameSize = 1024;
        await using var sender = new PeerSender("silo-b", peer.EndPoint, options, reporter, TestOutputLogger.For("sender"));

        sender.Send(1, Messages.Append(1, 2, 1, new byte[400]));
        using var connection = await peer.AcceptAsync();
        await connection.ReadHandshakeAsync();
        var huge = Messages.Append(1, 2, 2, new byte[2000]);
        sender.Send(2, huge);
        sender.Send(3, Messages.Append(1, 2, 3, new byte[400]));
        sender.Send(4, Messages.Append(1, 2, 4, new byte[400]));
        await connection.ReplyAsync(accepted: true);

        var first = await connection.ReadBatchAsync();
        var second = await connection.ReadBatchAsync();

        Assert.Equal([1ul, 3ul], first.Messages.Select(m => m.ShardId));
        Assert.Equal([4ul], second.Messages.Select(m => m.ShardId));
        var reported = await reporter.Unreachable.WaitForAsync(1);
        Assert.Equal(new Delivered("silo-b", 2, huge), reported.Single());
    }

    [Fact]
    public async Task A_full_queue_drops_the_oldest_and_reports_it_and_dispose_reports_the_rest()
    {
        using var peer = new FakePeer();
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.SendQueueCapacity = 3;
        var sender = new PeerSender("silo-b", peer.EndPoint, options, reporter, TestOutputLogger.For("sender"));
        var sent = Enumerable.Range(1, 5).Select(i => Messages.Append(1, 2, (ulong)i)).ToArray();

        // The loop is held in the handshake, so nothing leaves the queue.
        sender.Send(1, sent[0]);
        using var connection = await peer.AcceptAsync();
        await connection.ReadHandshakeAsync();
        foreach (var m in sent[1..])
        {
            sender.Send(1, m);
        }

        Assert.Equal(sent[..2], reporter.Unreachable.Snapshot().Select(d => d.Message));

        await sender.DisposeAsync();

        Assert.Equal(sent, reporter.Unreachable.Snapshot().Select(d => d.Message));
        sender.Send(1, Messages.Append(1, 2, 6));
        Assert.Equal(6, reporter.Unreachable.Count);
    }

    [Fact]
    public async Task A_refused_handshake_reports_the_queued_messages_and_retries_after_backoff()
    {
        using var peer = new FakePeer();
        var reporter = new RecordingReporter();
        await using var sender = new PeerSender("silo-b", peer.EndPoint, Messages.Client("silo-a"), reporter, TestOutputLogger.For("sender"));

        var first = Messages.Append(1, 2, 1);
        sender.Send(5, first);
        using (var refused = await peer.AcceptAsync())
        {
            await refused.ReadHandshakeAsync();
            await refused.ReplyAsync(accepted: false, reason: "go away");
            Assert.Equal(first, (await reporter.Unreachable.WaitForAsync(1)).Single().Message);
        }

        sender.Send(5, Messages.Append(1, 2, 2));
        using var accepted = await peer.AcceptAsync();
        await accepted.ReadHandshakeAsync();
        await accepted.ReplyAsync(accepted: true);
        var batch = await accepted.ReadBatchAsync();

        Assert.Equal(2ul, batch.Messages.Single().Message.Index);
        Assert.Equal(1, reporter.Unreachable.Count);
    }

    [Fact]
    public async Task A_local_message_is_reported_and_not_sent()
    {
        using var peer = new FakePeer();
        var reporter = new RecordingReporter();
        await using var sender = new PeerSender("silo-b", peer.EndPoint, Messages.Client("silo-a"), reporter, TestOutputLogger.For("sender"));

        sender.Send(1, Messages.Append(1, 2, 1));
        using var connection = await peer.AcceptAsync();
        await connection.ReadHandshakeAsync();
        var local = new Message { Type = MessageType.Hup, To = 2 };
        sender.Send(1, local);
        sender.Send(1, Messages.Append(1, 2, 2));
        await connection.ReplyAsync(accepted: true);

        var batch = await connection.ReadBatchAsync();

        Assert.Equal([1ul, 2ul], batch.Messages.Select(m => m.Message.Index));
        Assert.Equal(local, reporter.Unreachable.Snapshot().Single().Message);
    }
}
