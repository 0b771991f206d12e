using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Transport.Tests;

// The listener against hand-written bytes on a real loopback socket.
public sealed class SiloConnectionHandlerTests
{
    [Fact]
    public async Task A_batch_is_delivered_in_order_with_the_peer_silo_id()
    {
        await using var server = await TestSilo.StartAsync("silo-a");
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True((await client.ShakeHandsAsync(RawClient.Hello("silo-z"))).Accepted);

        await client.SendFrameAsync(FrameKind.MessageBatch, Batch(Messages.Append(1, 2, 1), Messages.Append(1, 2, 2)));
        var received = await server.Sink.Received.WaitForAsync(2);

        Assert.Equal([("silo-z", 1ul), ("silo-z", 2ul)], received.Select(d => (d.Silo, d.Message.Index)));
    }

    [Fact]
    public async Task Wrong_protocol_version_is_refused_with_the_reason_and_closed()
    {
        await using var server = await TestSilo.StartAsync("silo-a");
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        var reply = await client.ShakeHandsAsync(RawClient.Hello(version: 99));

        Assert.False(reply.Accepted);
        Assert.Contains("protocol version mismatch", reply.Reason, StringComparison.Ordinal);
        Assert.True(await client.ClosedByServerAsync());
    }

    [Fact]
    public async Task Wrong_cluster_id_gets_a_refusal_then_the_connection_closes()
    {
        await using var server = await TestSilo.StartAsync("silo-a", clusterId: "prod");
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        var reply = await client.ShakeHandsAsync(RawClient.Hello(clusterId: "other"));

        Assert.False(reply.Accepted);
        Assert.Contains("cluster id mismatch", reply.Reason, StringComparison.Ordinal);
        Assert.True(await client.ClosedByServerAsync());
    }

    [Fact]
    public async Task Wrong_service_id_gets_a_refusal_naming_both_then_the_connection_closes()
    {
        await using var server = await TestSilo.StartAsync("silo-a", serviceId: "orders");
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        var reply = await client.ShakeHandsAsync(RawClient.Hello(serviceId: "billing"));

        Assert.False(reply.Accepted);
        Assert.Contains("service id mismatch", reply.Reason, StringComparison.Ordinal);
        Assert.Contains("'orders'", reply.Reason, StringComparison.Ordinal);
        Assert.Contains("'billing'", reply.Reason, StringComparison.Ordinal);
        Assert.True(await client.ClosedByServerAsync());
        await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4001 && l.Text.Contains("service id mismatch", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("")]
    public async Task The_same_or_an_unspecified_service_id_is_accepted(string serviceId)
    {
        await using var server = await TestSilo.StartAsync("silo-a", serviceId: "orders");
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        var reply = await client.ShakeHandsAsync(RawClient.Hello("silo-z", serviceId: serviceId));
        Assert.True(reply.Accepted);

        await client.SendFrameAsync(FrameKind.MessageBatch, Batch(Messages.Append(1, 2, 1)));
        Assert.Equal("silo-z", (await server.Sink.Received.WaitForAsync(1)).Single().Silo);
    }

    [Fact]
    public async Task A_first_frame_that_is_not_a_handshake_closes_the_connection_with_a_logged_error()
    {
        await using var server = await TestSilo.StartAsync("silo-a");
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendFrameAsync(FrameKind.MessageBatch, Batch(Messages.Append(1, 2, 1)));

        Assert.True(await client.ClosedByServerAsync());
        await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4002);
        Assert.Equal(0, server.Sink.Received.Count);
    }

    [Fact]
    public async Task A_batch_with_one_malformed_message_is_dropped_whole_and_the_connection_closed()
    {
        await using var server = await TestSilo.StartAsync("silo-a");
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True((await client.ShakeHandsAsync(RawClient.Hello())).Accepted);
        var batch = Batch(Messages.Append(1, 2, 1));
        batch.Messages.Add(new ShardMessage { ShardId = 2, Message = new RaftMessage { Type = (RaftMessageType)77 } });

        await client.SendFrameAsync(FrameKind.MessageBatch, batch);

        Assert.True(await client.ClosedByServerAsync());
        var logged = await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4002);
        Assert.Contains(logged, l => l.Exception?.InnerException is FormatException);
        Assert.Equal(0, server.Sink.Received.Count);
    }

    [Fact]
    public async Task Garbage_after_the_handshake_closes_the_connection()
    {
        await using var server = await TestSilo.StartAsync("silo-a");
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True((await client.ShakeHandsAsync(RawClient.Hello())).Accepted);

        await client.SendAsync(new byte[] { 3, 0, 0, 0, 9, 1, 2, 3 });

        Assert.True(await client.ClosedByServerAsync());
        await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4002);
    }

    [Fact]
    public async Task A_peer_that_never_shakes_hands_is_closed_after_the_handshake_timeout()
    {
        await using var server = await TestSilo.StartAsync("silo-a", handshakeTimeout: TimeSpan.FromMilliseconds(100));
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        Assert.True(await client.ClosedByServerAsync());
        await server.Logs.Lines.WaitForItemAsync(l => l.EventId == 4005);
    }

    private static MessageBatch Batch(params Message[] messages)
    {
        var batch = new MessageBatch();
        foreach (var m in messages)
        {
            batch.Messages.Add(new ShardMessage { ShardId = m.Index, Message = RaftWire.ToWire(m) });
        }

        return batch;
    }
}
