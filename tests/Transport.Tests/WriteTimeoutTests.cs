using Google.Protobuf;

namespace MultiRaft.Transport.Tests;

public sealed class WriteTimeoutTests
{
    [Fact]
    public async Task A_peer_that_stops_reading_times_the_write_out_and_the_sender_reconnects()
    {
        // A small receive buffer on the peer and a payload far above any socket buffer: the flush
        // can never complete, so only the write timeout ends it.
        using var peer = new FakePeer(receiveBufferSize: 4 * 1024);
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.MaxFrameSize = 16 * 1024 * 1024;
        options.WriteTimeout = TimeSpan.FromMilliseconds(300);
        await using var sender = new PeerSender("silo-b", peer.EndPoint, options, reporter, TestOutputLogger.For("sender"));
        var stuck = Messages.Append(1, 2, 1, new byte[12 * 1024 * 1024]);

        sender.Send(1, stuck);
        using var deaf = await peer.AcceptAsync();
        await deaf.ReadHandshakeAsync();
        await deaf.ReplyAsync(accepted: true);

        var reported = await reporter.Unreachable.WaitForAsync(1);
        Assert.Equal(new Delivered("silo-b", 1, stuck), reported.Single());

        sender.Send(2, Messages.Append(1, 2, 2));
        using var fresh = await peer.AcceptAsync();
        await fresh.ReadHandshakeAsync();
        await fresh.ReplyAsync(accepted: true);
        var batch = await fresh.ReadBatchAsync();
        Assert.Equal((2ul, 2ul), (batch.Messages.Single().ShardId, batch.Messages.Single().Message.Index));
        Assert.Equal(1, reporter.Unreachable.Count);
    }

    [Fact]
    public async Task The_write_timeout_closes_the_socket_so_the_deaf_peer_sees_the_connection_end()
    {
        using var peer = new FakePeer(receiveBufferSize: 4 * 1024);
        var reporter = new RecordingReporter();
        var options = Messages.Client("silo-a");
        options.MaxFrameSize = 16 * 1024 * 1024;
        options.WriteTimeout = TimeSpan.FromMilliseconds(300);
        await using var sender = new PeerSender("silo-b", peer.EndPoint, options, reporter, TestOutputLogger.For("sender"));

        sender.Send(1, Messages.Append(1, 2, 1, new byte[12 * 1024 * 1024]));
        using var deaf = await peer.AcceptAsync();
        await deaf.ReadHandshakeAsync();
        await deaf.ReplyAsync(accepted: true);
        await reporter.Unreachable.WaitForAsync(1);

        // Reading now drains what the kernel buffered, then hits the end of the stream (or a reset)
        // where the 12 MiB frame was cut.
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => deaf.ReadFrameAsync());
        Assert.True(ex is Grains.Interfaces.Framing.FrameException or IOException, ex.ToString());
    }
}
