using MultiRaft.Raft;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>Snapshots are stored as chunk rows under one metadata row, and read back whole or not at all.</summary>
public sealed class SnapshotChunkTests(PostgresServerFixture server) : PostgresTest(server)
{
    private static readonly ReplicaId A = new(4, 2);

    private static Snapshot Snap(ulong index, int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return new Snapshot(index, 2, new ConfState([1UL, 2], learners: [3UL]), data);
    }

    private Task<long> ChunkRowsAsync() => Server.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.snapshot_chunk");

    [Fact]
    public async Task ASnapshotOfSeveralMebibytesSpansChunksAndRoundTrips()
    {
        var (p, _) = await OpenAsync();
        await AppendDurably(p, A, new HardState(2, 1, 5), Entries(2, 1, 5));
        var snap = Snap(5, (3 << 20) + 12345, seed: 1);
        await p.SaveSnapshotAsync(A, snap, Ct);
        await CloseAsync(p);

        var (_, state) = await OpenAsync();

        Assert.Equal(4L, await ChunkRowsAsync());
        var got = state[A].Snapshot!;
        Assert.Equal((5UL, 2UL), (got.Index, got.Term));
        Assert.Equal(snap.ConfState, got.ConfState);
        Assert.True(snap.Data.Span.SequenceEqual(got.Data.Span));
    }

    [Fact]
    public async Task ASmallerLaterSnapshotLeavesNoStaleChunks()
    {
        var (p, _) = await OpenAsync(Server.Options(Schema, chunkSize: 1000));
        await AppendDurably(p, A, new HardState(2, 1, 9), Entries(2, 1, 9));
        await p.SaveSnapshotAsync(A, Snap(3, 10_001, seed: 2), Ct);
        Assert.Equal(11L, await ChunkRowsAsync());
        var later = Snap(8, 1500, seed: 3);
        await p.SaveSnapshotAsync(A, later, Ct);
        await CloseAsync(p);

        var (_, state) = await OpenAsync(Server.Options(Schema, chunkSize: 1000));

        Assert.Equal(2L, await ChunkRowsAsync());
        Assert.Equal(later.Data.ToArray(), state[A].Snapshot!.Data.ToArray());
        Assert.Equal(Entries(2, 9, 1), state[A].Entries);
    }

    [Fact]
    public async Task AnOlderSnapshotSavedLaterDoesNotReplaceANewerOne()
    {
        var (p, _) = await OpenAsync();
        await AppendDurably(p, A, new HardState(2, 1, 9), Entries(2, 1, 9));
        var newer = Snap(7, 100, seed: 4);
        await p.SaveSnapshotAsync(A, newer, Ct);
        await p.SaveSnapshotAsync(A, Snap(4, 100, seed: 5), Ct);
        await CloseAsync(p);

        var (_, state) = await OpenAsync();

        Assert.Equal(7UL, state[A].Snapshot!.Index);
        Assert.Equal(newer.Data.ToArray(), state[A].Snapshot!.Data.ToArray());
    }

    [Fact]
    public async Task AMissingChunkIsReportedAsCorruption()
    {
        var (p, _) = await OpenAsync(Server.Options(Schema, chunkSize: 100));
        await AppendDurably(p, A, new HardState(2, 1, 3), Entries(2, 1, 3));
        await p.SaveSnapshotAsync(A, Snap(3, 350, seed: 6), Ct);
        await CloseAsync(p);
        await Server.ExecuteAsync($"DELETE FROM {Schema}.snapshot_chunk WHERE seq = 1");

        var e = await Assert.ThrowsAsync<StorageCorruptionException>(() => Provider().RecoverAsync(Ct).AsTask());

        Assert.Contains($"{Schema}.snapshot_chunk for {A}: chunk 2 where chunk 1 was expected", e.Message);
    }

    [Fact]
    public async Task AHoleInTheLogIsReportedAsCorruption()
    {
        var (p, _) = await OpenAsync();
        await AppendDurably(p, A, new HardState(2, 1, 3), Entries(2, 1, 6));
        await CloseAsync(p);
        await Server.ExecuteAsync($"DELETE FROM {Schema}.log_entry WHERE idx = 4");

        var e = await Assert.ThrowsAsync<StorageCorruptionException>(() => Provider().RecoverAsync(Ct).AsTask());

        Assert.Contains($"{Schema}.log_entry for {A}: entry 5 where entry 4 was expected", e.Message);
    }
}
