using MultiRaft.Raft;

namespace MultiRaft.Storage.Tests.Contract;

/// <summary>Appends, replacement of tails, hard states and many replicas.</summary>
public abstract partial class StorageContract
{
    [Fact]
    public async Task AnEmptyStoreRecoversNothing()
    {
        var p = await OpenAsync();
        Assert.Empty(await p.RecoverAsync(Ct));
    }

    [Fact]
    public async Task AppendedEntriesAndHardStateSurviveReopening()
    {
        var p = await OpenRecoveredAsync();
        var e = Entries(1, 1, 10);
        await AppendDurably(p, A, new HardState(1, 1, 0), e[..4]);
        await AppendDurably(p, A, new HardState(1, 1, 4), e[4..]);

        var (_, state) = await ReopenAsync(p);

        var a = state[A];
        Assert.Equal(new HardState(1, 1, 4), a.HardState);
        Assert.Null(a.Snapshot);
        AssertEntries(e, a.Entries);
    }

    [Fact]
    public async Task AnAppendReplacesTheStoredTailFromItsFirstIndex()
    {
        var p = await OpenRecoveredAsync();
        await AppendDurably(p, A, new HardState(1, 0, 0), Entries(1, 1, 6));
        var replacement = Entries(2, 4, 2);
        await AppendDurably(p, A, new HardState(2, 0, 3), replacement);

        var (_, state) = await ReopenAsync(p);

        var expected = Entries(1, 1, 3).Concat(replacement).ToArray();
        AssertEntries(expected, state[A].Entries);
        Assert.Equal(new HardState(2, 0, 3), state[A].HardState);
    }

    [Fact]
    public async Task AHardStateAloneIsRecorded()
    {
        var p = await OpenRecoveredAsync();
        await AppendDurably(p, A, new HardState(5, 3, 0), []);

        var (_, state) = await ReopenAsync(p);

        Assert.Equal(new HardState(5, 3, 0), state[A].HardState);
        Assert.Empty(state[A].Entries);
    }

    [Fact]
    public async Task ManyReplicasInterleavedEachRecoverTheirOwnLog()
    {
        var p = await OpenRecoveredAsync();
        const int replicas = 200;
        for (ulong round = 0; round < 5; round++)
        {
            long last = 0;
            for (ulong r = 1; r <= replicas; r++)
            {
                last = p.Append(new ReplicaId(r, r + 1000), new HardState(1 + round, r, round * 2),
                    Entries(1 + round, 1 + (round * 2), 2, payload: (int)(r % 17)));
            }

            await p.WaitDurableAsync(last, Ct);
        }

        var (_, state) = await ReopenAsync(p);

        Assert.Equal(replicas, state.Count);
        for (ulong r = 1; r <= replicas; r++)
        {
            var got = state[new ReplicaId(r, r + 1000)];
            Assert.Equal(new HardState(5, r, 8), got.HardState);
            var expected = Enumerable.Range(0, 5)
                .SelectMany(round => Entries(1 + (ulong)round, 1 + ((ulong)round * 2), 2, payload: (int)(r % 17))).ToArray();
            AssertEntries(expected, got.Entries);
        }
    }

    [Fact]
    public async Task ConcurrentAppendersAllBecomeDurable()
    {
        var p = await OpenRecoveredAsync();
        var tasks = Enumerable.Range(1, 32).Select(i => Task.Run(async () =>
        {
            var id = new ReplicaId(9, (ulong)i);
            for (ulong n = 1; n <= 20; n++)
            {
                await AppendDurably(p, id, new HardState(1, 0, n - 1), Entries(1, n, 1, payload: i));
            }
        }, Ct)).ToArray();
        await Task.WhenAll(tasks);

        var (_, state) = await ReopenAsync(p);

        for (var i = 1; i <= 32; i++)
        {
            var got = state[new ReplicaId(9, (ulong)i)];
            AssertEntries(Entries(1, 1, 20, payload: i), got.Entries);
            Assert.Equal(new HardState(1, 0, 19), got.HardState);
        }
    }

    [Fact]
    public async Task EntryTypesAndPayloadSizesRoundTrip()
    {
        var p = await OpenRecoveredAsync();
        var cc = ConfChange.Single(ConfChangeType.AddLearner, 4).Encode();
        var big = new byte[300_000];
        new Random(7).NextBytes(big);
        Entry[] entries =
        [
            new(1, 1, ReadOnlyMemory<byte>.Empty),
            new(1, 2, EntryType.ConfChange, cc),
            new(1, 3, big),
            new(1, 4, new byte[] { 0 }),
        ];
        await AppendDurably(p, A, new HardState(1, 1, 2), entries);

        var (_, state) = await ReopenAsync(p);

        AssertEntries(entries, state[A].Entries);
    }

    [Fact]
    public async Task AppendsAfterARecoveryContinueTheLog()
    {
        var p = await OpenRecoveredAsync();
        await AppendDurably(p, A, new HardState(1, 0, 0), Entries(1, 1, 3));
        var (q, _) = await ReopenAsync(p);
        await AppendDurably(q, A, new HardState(2, 0, 3), Entries(2, 4, 3));

        var (_, state) = await ReopenAsync(q);

        AssertEntries(Entries(1, 1, 3).Concat(Entries(2, 4, 3)).ToArray(), state[A].Entries);
    }
}
