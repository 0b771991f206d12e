using System.Buffers.Binary;
using System.Collections.Concurrent;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client.Tests;

// The gateway's connection handler on a real loopback socket, with a scripted handler.
public sealed class GatewayConnectionHandlerTests
{
    private static ClientResponse Echo(ClientRequest request) =>
        new() { Status = ResponseStatus.Ok, Value = request.Get?.Key ?? ByteString.Empty };

    private static ClientRequest Get(string key) =>
        new() { Get = new GetRequest { Key = ByteString.CopyFromUtf8(key) } };

    [Fact]
    public async Task A_client_of_another_cluster_is_refused_with_the_reason_and_closed()
    {
        await using var gateway = await TestGateway.StartAsync("silo-a", new ScriptedHandler((r, _) => Task.FromResult(Echo(r))),
            clusterId: "prod");
        using var raw = await RawGatewayClient.ConnectAsync(gateway.EndPoint);

        var reply = await raw.HelloAsync(RawGatewayClient.Hello(clusterId: "other"));

        Assert.False(reply.Accepted);
        Assert.Contains("cluster id mismatch", reply.Reason, StringComparison.Ordinal);
        Assert.True(await raw.ClosedByServerAsync());
    }

    [Fact]
    public async Task The_connector_reports_a_refused_hello_as_unreachable_with_the_reason()
    {
        await using var gateway = await TestGateway.StartAsync("silo-a", new ScriptedHandler((r, _) => Task.FromResult(Echo(r))),
            clusterId: "prod");
        await using var connector = new TcpGatewayConnector("other");

        var error = await Assert.ThrowsAsync<GatewayUnreachableException>(
            async () => await connector.SendAsync(gateway.Address, Get("k"), TestContext.Current.CancellationToken));

        Assert.Contains("cluster id mismatch", error.Message, StringComparison.Ordinal);
        Assert.False(error.RequestWritten);
    }

    [Fact]
    public async Task An_empty_cluster_id_is_accepted_and_the_reply_names_the_silo()
    {
        await using var gateway = await TestGateway.StartAsync("silo-a", new ScriptedHandler((r, _) => Task.FromResult(Echo(r))),
            clusterId: "prod");
        using var raw = await RawGatewayClient.ConnectAsync(gateway.EndPoint);

        var reply = await raw.HelloAsync(RawGatewayClient.Hello(clusterId: ""));

        Assert.True(reply.Accepted);
        Assert.Equal(("prod", "silo-a"), (reply.ClusterId, reply.SiloId));
    }

    [Fact]
    public async Task Another_protocol_version_is_refused()
    {
        await using var gateway = await TestGateway.StartAsync("silo-a", new ScriptedHandler((r, _) => Task.FromResult(Echo(r))));
        using var raw = await RawGatewayClient.ConnectAsync(gateway.EndPoint);

        var reply = await raw.HelloAsync(RawGatewayClient.Hello(version: 2));

        Assert.False(reply.Accepted);
        Assert.Contains("protocol version mismatch", reply.Reason, StringComparison.Ordinal);
        Assert.True(await raw.ClosedByServerAsync());
    }

    [Fact]
    public async Task Many_requests_on_one_connection_are_handled_at_once_and_answered_out_of_order()
    {
        const int count = 200;
        var gates = new ConcurrentDictionary<string, TaskCompletionSource>();
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        await using var gateway = await TestGateway.StartAsync("silo-a", new ScriptedHandler(async (request, _) =>
        {
            var gate = gates.GetOrAdd(request.Get.Key.ToStringUtf8(), _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
            if (Interlocked.Increment(ref arrived) == count)
            {
                allArrived.TrySetResult();
            }

            await gate.Task;
            return Echo(request);
        }));
        await using var connector = new TcpGatewayConnector("test-cluster", connectionsPerGateway: 1);

        var calls = Enumerable.Range(0, count)
            .Select(i => connector.SendAsync(gateway.Address, Get($"key-{i}"), TestContext.Current.CancellationToken).AsTask())
            .ToArray();
        // Every request reached the handler while none had been answered: they are pipelined.
        await allArrived.Task.WaitAsync(Timeouts.Guard, TestContext.Current.CancellationToken);
        for (var i = count - 1; i >= 0; i--)
        {
            gates[$"key-{i}"].SetResult();
        }

        var answers = await Task.WhenAll(calls).WaitAsync(Timeouts.Guard, TestContext.Current.CancellationToken);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"key-{i}"), answers.Select(a => a.Value.ToStringUtf8()));
    }

    [Fact]
    public async Task A_handler_exception_is_answered_as_internal_with_its_message()
    {
        await using var gateway = await TestGateway.StartAsync("silo-a",
            new ScriptedHandler((_, _) => throw new InvalidOperationException("boom")));
        await using var connector = new TcpGatewayConnector("test-cluster");

        var answer = await connector.SendAsync(gateway.Address, Get("k"), TestContext.Current.CancellationToken);

        Assert.Equal(ResponseStatus.Internal, answer.Status);
        Assert.Equal("boom", answer.Error);
        await gateway.Logs.FirstAsync(4106);
    }

    [Fact]
    public async Task An_oversized_frame_closes_only_that_connection()
    {
        await using var gateway = await TestGateway.StartAsync("silo-a", new ScriptedHandler((r, _) => Task.FromResult(Echo(r))),
            maxFrameSize: 4096);
        using var bad = await RawGatewayClient.ConnectAsync(gateway.EndPoint);
        using var good = await RawGatewayClient.ConnectAsync(gateway.EndPoint);
        Assert.True((await bad.HelloAsync(RawGatewayClient.Hello())).Accepted);
        Assert.True((await good.HelloAsync(RawGatewayClient.Hello())).Accepted);

        var header = new byte[FrameFormat.HeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(header, 4097);
        header[4] = (byte)FrameKind.ClientRequest;
        await bad.SendAsync(header);

        Assert.True(await bad.ClosedByServerAsync());
        var logged = await gateway.Logs.FirstAsync(4102);
        Assert.IsType<FrameException>(logged.Exception);
        await good.SendFrameAsync(FrameKind.ClientRequest, new ClientRequest { RequestId = 9, Get = new GetRequest { Key = ByteString.CopyFromUtf8("x") } });
        var answer = Assert.IsType<ClientResponse>(await good.ReadAsync());
        Assert.Equal((9ul, "x"), (answer.RequestId, answer.Value.ToStringUtf8()));
    }

    [Fact]
    public async Task An_unparsable_request_closes_the_connection_with_a_logged_error()
    {
        await using var gateway = await TestGateway.StartAsync("silo-a", new ScriptedHandler((r, _) => Task.FromResult(Echo(r))));
        using var raw = await RawGatewayClient.ConnectAsync(gateway.EndPoint);
        Assert.True((await raw.HelloAsync(RawGatewayClient.Hello())).Accepted);

        // A length-delimited field whose length runs past the payload.
        byte[] frame = [3, 0, 0, 0, (byte)FrameKind.ClientRequest, 0x52, 0x7F, 0x01];
        await raw.SendAsync(frame);

        Assert.True(await raw.ClosedByServerAsync());
        var logged = await gateway.Logs.FirstAsync(4102);
        Assert.IsType<InvalidProtocolBufferException>(logged.Exception!.InnerException);
    }

    [Fact]
    public async Task A_first_frame_that_is_not_a_hello_closes_the_connection()
    {
        var handled = 0;
        await using var gateway = await TestGateway.StartAsync("silo-a", new ScriptedHandler((r, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.FromResult(Echo(r));
        }));
        using var raw = await RawGatewayClient.ConnectAsync(gateway.EndPoint);

        await raw.SendFrameAsync(FrameKind.ClientRequest, Get("k"));

        Assert.True(await raw.ClosedByServerAsync());
        await gateway.Logs.FirstAsync(4102);
        Assert.Equal(0, handled);
    }

    [Fact]
    public async Task A_connection_has_at_most_the_configured_requests_in_the_handler_at_once()
    {
        var events = new ConcurrentQueue<string>();
        var gates = new ConcurrentDictionary<string, TaskCompletionSource>();
        var twoArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        await using var gateway = await TestGateway.StartAsync("silo-a", new ScriptedHandler(async (request, _) =>
        {
            var key = request.Get.Key.ToStringUtf8();
            events.Enqueue($"arrived {key}");
            if (Interlocked.Increment(ref arrived) == 2)
            {
                twoArrived.TrySetResult();
            }

            await gates.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            return Echo(request);
        }), maxInflight: 2);
        await using var connector = new TcpGatewayConnector("test-cluster", connectionsPerGateway: 1);
        var ct = TestContext.Current.CancellationToken;

        var calls = new[] { "a", "b", "c" }.Select(k => connector.SendAsync(gateway.Address, Get(k), ct).AsTask()).ToArray();
        await twoArrived.Task.WaitAsync(Timeouts.Guard, ct);
        events.Enqueue("released a");
        gates.GetOrAdd("a", _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
        await calls[0].WaitAsync(Timeouts.Guard, ct);
        gates.GetOrAdd("b", _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
        gates.GetOrAdd("c", _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
        await Task.WhenAll(calls).WaitAsync(Timeouts.Guard, ct);

        // The third request entered the handler only after one of the first two left it.
        Assert.Equal(["arrived a", "arrived b", "released a", "arrived c"], events);
    }
}
