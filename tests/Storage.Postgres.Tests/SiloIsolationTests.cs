using MultiRaft.Raft;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>Silos share a database but not rows; a silo's rows follow its id, not its process.</summary>
public sealed class SiloIsolationTests(PostgresServerFixture server) : PostgresTest(server)
{
    private static readonly ReplicaId A = new(1, 1);
    private static readonly ReplicaId B = new(3, 9);

    [Fact]
    public async Task TwoSilosInOneSchemaDoNotSeeEachOthersReplicas()
    {
        var (east, _) = await OpenAsync(Server.Options(Schema, "east"));
        var (west, _) = await OpenAsync(Server.Options(Schema, "west"));
        await AppendDurably(east, A, new HardState(2, 1, 3), Entries(2, 1, 4));
        await AppendDurably(west, A, new HardState(7, 2, 1), Entries(7, 1, 2, payload: 3));
        await AppendDurably(west, B, new HardState(1, 0, 0), []);
        await east.DeleteReplicaAsync(A, Ct);
        await CloseAsync(east);
        await CloseAsync(west);

        var (_, eastState) = await OpenAsync(Server.Options(Schema, "east"));
        var (_, westState) = await OpenAsync(Server.Options(Schema, "west"));

        Assert.Empty(eastState);
        Assert.Equal([A, B], westState.Keys.Order());
        Assert.Equal(new HardState(7, 2, 1), westState[A].HardState);
        Assert.Equal(Entries(7, 1, 2, payload: 3), westState[A].Entries);
    }

    [Fact]
    public async Task AnotherInstanceWithTheSameSiloIdLoadsWhatTheFirstMadeDurable()
    {
        var (writer, _) = await OpenAsync(Server.Options(Schema, "moving"));
        await AppendDurably(writer, A, new HardState(3, 3, 5), Entries(3, 1, 6));
        var snap = new Snapshot(4, 3, new ConfState([1UL, 2, 3]), new byte[] { 1, 2, 3 });
        await writer.SaveSnapshotAsync(A, snap, Ct);

        // The first instance stays open: the second reads the database, not the first's memory.
        var (_, state) = await OpenAsync(Server.Options(Schema, "moving"));

        Assert.Equal(new HardState(3, 3, 5), state[A].HardState);
        Assert.Equal(4UL, state[A].Snapshot!.Index);
        Assert.Equal(Entries(3, 5, 2), state[A].Entries);
    }

    [Fact]
    public async Task IdsAbove2To63RoundTripBitForBit()
    {
        var big = new ReplicaId(ulong.MaxValue, (1UL << 63) + 5);
        var (p, _) = await OpenAsync();
        await AppendDurably(p, big, new HardState(1, ulong.MaxValue - 1, 0), Entries(1, 1, 1));
        await CloseAsync(p);

        var (_, state) = await OpenAsync();

        Assert.Equal(new HardState(1, ulong.MaxValue - 1, 0), state[big].HardState);
    }
}
