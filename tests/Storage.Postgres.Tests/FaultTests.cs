using System.Net;
using System.Net.Sockets;
using MultiRaft.Raft;
using Npgsql;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>Fail stop: an unreachable server or a failed commit stops the provider with a message naming where.</summary>
public sealed class FaultTests(PostgresServerFixture server) : PostgresTest(server)
{
    private static readonly ReplicaId A = new(1, 1);

    [Fact]
    public async Task AServerThatCannotBeReachedGivesAFaultNamingHostAndPort()
    {
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var p = Provider(new PostgresStorageOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=nobody;Database=nowhere;Timeout=5",
            Schema = Schema,
            SiloId = "lost",
        });

        var e = await Assert.ThrowsAsync<StorageFaultException>(() => p.RecoverAsync(Ct).AsTask());

        Assert.Contains($"PostgreSQL storage at 127.0.0.1:{port}/nowhere (schema {Schema}, silo lost): opening the store failed", e.Message);
        Assert.Throws<StorageFaultException>(() => p.Append(A, new HardState(1, 0, 0), []));
    }

    [Fact]
    public async Task AFailedCommitStopsTheProviderAndNothingAfterItIsWritten()
    {
        var app = $"fail-stop-{Guid.NewGuid():N}";
        var options = Server.Options(Schema);
        options.ConnectionString += $";Application Name={app}";
        var (p, _) = await OpenAsync(options);
        await AppendDurably(p, A, new HardState(1, 1, 0), Entries(1, 1, 3));
        var before = p.Append(A, null, Entries(1, 4, 1));
        await p.WaitDurableAsync(before, Ct);

        // The writer's session is killed under it (the call waits until it is gone): its next
        // transaction cannot commit.
        await Server.ExecuteAsync($"SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = '{app}'");
        var lost = p.Append(A, new HardState(2, 1, 0), Entries(2, 5, 2));

        var e = await Assert.ThrowsAsync<StorageFaultException>(() => p.WaitDurableAsync(lost, Ct).AsTask());
        Assert.Contains($"(schema {Schema}, silo silo-1): committing a batch of 1 operations failed", e.Message);
        Assert.Throws<StorageFaultException>(() => p.Append(A, null, Entries(2, 7, 1)));
        await Assert.ThrowsAsync<StorageFaultException>(() => p.WaitDurableAsync(before, Ct).AsTask());
        await Assert.ThrowsAsync<StorageFaultException>(() => p.CompactAsync(A, 1, Ct).AsTask());
        await CloseAsync(p);

        NpgsqlConnection.ClearAllPools();
        var (_, state) = await OpenAsync(Server.Options(Schema));
        Assert.Equal(new HardState(1, 1, 0), state[A].HardState);
        Assert.Equal(Entries(1, 1, 4), state[A].Entries);
    }
}
