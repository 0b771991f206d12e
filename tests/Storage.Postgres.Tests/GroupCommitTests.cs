using MultiRaft.Raft;
using Npgsql;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>
/// Everything queued while a batch commits goes into the next single transaction, with the
/// effect of replaying it in order. The writer is held still by a table lock the test owns, so
/// which operations share a batch is decided by the test, not by timing.
/// </summary>
public sealed class GroupCommitTests(PostgresServerFixture server) : PostgresTest(server)
{
    /// <summary>Opens a transaction that blocks the writer at its first statement until disposed.</summary>
    private async Task<NpgsqlTransaction> HoldWriterAsync(NpgsqlConnection c)
    {
        var tx = await c.BeginTransactionAsync(Ct);
        await using var cmd = new NpgsqlCommand($"LOCK TABLE {Schema}.replica IN ACCESS EXCLUSIVE MODE", c, tx);
        await cmd.ExecuteNonQueryAsync(Ct);
        return tx;
    }

    [Fact]
    public async Task AppendsQueuedDuringACommitShareTheNextTransaction()
    {
        var (p, _) = await OpenAsync();
        await using var c = await Server.Admin.OpenConnectionAsync(Ct);
        var hold = await HoldWriterAsync(c);

        var first = p.Append(new ReplicaId(1, 1), new HardState(1, 0, 0), Entries(1, 1, 1));
        long last = 0;
        for (ulong r = 1; r <= 100; r++)
        {
            for (ulong i = 1; i <= 10; i++)
            {
                last = p.Append(new ReplicaId(2, r), new HardState(1, r, i - 1), Entries(1, i, 1));
            }
        }

        var waitFirst = p.WaitDurableAsync(first, Ct).AsTask();
        Assert.False(waitFirst.IsCompleted); // the writer cannot commit while the lock is held
        await hold.CommitAsync(Ct);
        await p.WaitDurableAsync(last, Ct);
        await waitFirst;

        Assert.InRange(p.CommittedBatches, 1, 2);
        await CloseAsync(p);
        var (_, state) = await OpenAsync();
        Assert.Equal(101, state.Count);
        Assert.Equal(new HardState(1, 7, 9), state[new ReplicaId(2, 7)].HardState);
        Assert.Equal(Entries(1, 1, 10), state[new ReplicaId(2, 7)].Entries);
    }

    [Fact]
    public async Task MixedOperationsInOneBatchHaveTheEffectOfReplayingThemInOrder()
    {
        var (p, _) = await OpenAsync();
        var reference = new InMemoryStorageProvider();
        await reference.RecoverAsync(Ct);
        IStorageProvider[] both = [p, reference];
        await using var c = await Server.Admin.OpenConnectionAsync(Ct);
        var hold = await HoldWriterAsync(c);

        ReplicaId a = new(1, 1), b = new(1, 2), d = new(5, 5);
        var conf = new ConfState([1UL, 2, 3]);
        var pending = new List<Task>();
        foreach (var s in both)
        {
            s.Append(d, new HardState(1, 1, 0), Entries(1, 1, 3));
            s.Append(a, new HardState(1, 1, 0), Entries(1, 1, 10));
            s.Append(a, null, Entries(2, 7, 2)); // replaces 7..10 with a shorter tail
            pending.Add(s.SaveSnapshotAsync(a, new Snapshot(5, 1, conf, new byte[] { 5 }), Ct).AsTask());
            pending.Add(s.CompactAsync(a, 5, Ct).AsTask());
            s.Append(a, new HardState(2, 1, 6), Entries(2, 9, 2));
            s.Append(b, new HardState(1, 2, 0), Entries(1, 1, 4));
            pending.Add(s.InstallSnapshotAsync(b, new Snapshot(20, 3, conf, new byte[] { 20 }), Ct).AsTask());
            s.Append(b, new HardState(3, 0, 20), Entries(3, 21, 2));
            pending.Add(s.DeleteReplicaAsync(d, Ct).AsTask());
            s.Append(a, null, Entries(3, 10, 1));
        }

        await hold.CommitAsync(Ct);
        await Task.WhenAll(pending);

        // The writer may have taken the first append alone before blocking; all the rest shared one transaction.
        Assert.InRange(p.CommittedBatches, 1, 2);
        await CloseAsync(p);
        var (_, got) = await OpenAsync();
        var expected = (await new InMemoryStorageProvider(reference.State).RecoverAsync(Ct)).ToDictionary(r => r.Replica);
        Assert.Equal(expected.Keys.Order(), got.Keys.Order());
        foreach (var (id, want) in expected)
        {
            Assert.Equal(want.HardState, got[id].HardState);
            Assert.Equal(want.Entries, got[id].Entries);
            Assert.Equal(want.Snapshot?.Index, got[id].Snapshot?.Index);
            Assert.Equal(want.Snapshot?.Data.ToArray(), got[id].Snapshot?.Data.ToArray());
        }
    }
}
