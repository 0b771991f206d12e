using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Client.Tests;

// The client's connections against a hand-driven gateway.
public sealed class TcpGatewayConnectorTests
{
    private static ClientRequest Get(string key) => new() { Get = new GetRequest { Key = ByteString.CopyFromUtf8(key) } };

    [Fact]
    public async Task A_dropped_connection_fails_every_request_in_flight_and_the_next_request_reconnects()
    {
        using var server = new RawGatewayServer();
        await using var connector = new TcpGatewayConnector("test-cluster", connectionsPerGateway: 1);
        var ct = TestContext.Current.CancellationToken;

        var first = connector.SendAsync(server.Address, Get("a"), ct).AsTask();
        var second = connector.SendAsync(server.Address, Get("b"), ct).AsTask();
        using (var connection = await server.AcceptAsync())
        {
            var hello = await connection.AcceptHelloAsync();
            Assert.Equal(("test-cluster", 1u), (hello.ClusterId, hello.ProtocolVersion));
            await connection.ReadRequestAsync();
            await connection.ReadRequestAsync();
        }

        var errors = await Task.WhenAll(
            Assert.ThrowsAsync<GatewayUnreachableException>(() => first),
            Assert.ThrowsAsync<GatewayUnreachableException>(() => second)).WaitAsync(Timeouts.Guard, ct);
        Assert.All(errors, e => Assert.True(e.RequestWritten));

        var third = connector.SendAsync(server.Address, Get("c"), ct).AsTask();
        using var again = await server.AcceptAsync();
        await again.AcceptHelloAsync();
        var request = await again.ReadRequestAsync();
        await again.AnswerAsync(new ClientResponse { RequestId = request.RequestId, Status = ResponseStatus.Ok, Value = request.Get.Key });
        Assert.Equal("c", (await third.WaitAsync(Timeouts.Guard, ct)).Value.ToStringUtf8());
    }

    [Fact]
    public async Task A_gateway_that_cannot_be_reached_is_reported_as_not_written()
    {
        string address;
        using (var closed = new RawGatewayServer())
        {
            address = closed.Address;
        }

        await using var connector = new TcpGatewayConnector();

        var error = await Assert.ThrowsAsync<GatewayUnreachableException>(
            async () => await connector.SendAsync(address, Get("a"), TestContext.Current.CancellationToken));
        Assert.False(error.RequestWritten);
    }

    [Fact]
    public async Task Answers_are_matched_to_requests_by_id_whatever_their_order()
    {
        using var server = new RawGatewayServer();
        await using var connector = new TcpGatewayConnector(connectionsPerGateway: 1);
        var ct = TestContext.Current.CancellationToken;

        var calls = new[] { "a", "b", "c" }.Select(k => connector.SendAsync(server.Address, Get(k), ct).AsTask()).ToArray();
        using var connection = await server.AcceptAsync();
        await connection.AcceptHelloAsync();
        var requests = new[] { await connection.ReadRequestAsync(), await connection.ReadRequestAsync(), await connection.ReadRequestAsync() };
        foreach (var request in requests.Reverse())
        {
            await connection.AnswerAsync(new ClientResponse { RequestId = request.RequestId, Value = request.Get.Key });
        }

        var answers = await Task.WhenAll(calls).WaitAsync(Timeouts.Guard, ct);
        Assert.Equal(["a", "b", "c"], answers.Select(a => a.Value.ToStringUtf8()));
    }
}
