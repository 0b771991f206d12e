using MultiRaft.Raft;
using MultiRaft.Storage.FileWal;
using static MultiRaft.Storage.Tests.FileWal.WalKit;

namespace MultiRaft.Storage.Tests.FileWal;

/// <summary>
/// Segments go once no replica needs them, small state is carried forward in checkpoints, and
/// bytes left in reused or resurrected files never pass for records.
/// </summary>
public sealed class SegmentLifecycleTests
{
    private static readonly ReplicaId A = new(1, 1);
    private static readonly ReplicaId B = new(1, 2);
    private static readonly ReplicaId C = new(2, 3);

    private static string[] Segments(FaultyWalDevice device) =>
        device.List().Where(n => WalSegment.TryParse(n, out _)).ToArray();

    [Fact]
    public async Task ASegmentIsDeletedOnceNoReplicaNeedsIt()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device, segmentSize: 4096))
        {
            await AppendDurably(p, B, new HardState(1, 2, 0), Entries(1, 1, 1));
            for (ulong i = 1; i <= 40; i++)
            {
                await AppendDurably(p, A, new HardState(1, 1, i - 1), Entries(1, i, 1, payload: 300));
            }

            await p.CollectSegmentsAsync(Ct);
            var all = Segments(device);
            Assert.True(all.Length >= 4, $"{all.Length} segments");
            Assert.Equal(p.SegmentNames, all);

            // A no longer needs its entries, but B's only entry pins the first segment.
            await p.SaveSnapshotAsync(A, Snap(40, 1), Ct);
            await p.CompactAsync(A, 40, Ct);
            await p.CollectSegmentsAsync(Ct);
            Assert.Equal(all[0], Segments(device)[0]);

            await p.SaveSnapshotAsync(B, Snap(1, 1), Ct);
            await p.CompactAsync(B, 1, Ct);
            await p.CollectSegmentsAsync(Ct);
            Assert.Equal([p.SegmentNames.Single()], Segments(device));
            Assert.Equal(2, device.List().Count(SnapshotFiles.IsSnapshot));
        }

        var state = await RecoverAsync(device, 4096);
        Assert.Equal(new HardState(1, 1, 39), state[A].HardState);
        Assert.Equal(40UL, state[A].Snapshot!.Index);
        Assert.Empty(state[A].Entries);
        Assert.Equal(new HardState(1, 2, 0), state[B].HardState);
        Assert.Equal(1UL, state[B].Snapshot!.Index);
    }

    [Fact]
    public async Task AReplicaThatNeverCompactsStopsHoldingBackTheOldestSegmentOnceItsEntriesAreRelocatedOrSnapshotted()
    {
        var device = new FaultyWalDevice();
        var p = Provider(device, segmentSize: 4096);
        await using (var store = await ReplicaStore.OpenAsync(p, Ct))
        {
            // B: a snapshot, two entries and a hard state, then nothing; A fills several segments.
            store.GetOrCreate(B);
            await store.InstallSnapshotAsync(B, Snap(3, 1), Ct);
            await store.WaitDurableAsync(store.Append(B, new HardState(1, 2, 5), Entries(1, 4, 2)), Ct);
            store.GetOrCreate(A);
            for (ulong i = 1; i <= 40; i++)
            {
                await store.WaitDurableAsync(store.Append(A, new HardState(1, 1, i - 1), Entries(1, i, 1, payload: 300)), Ct);
            }

            await p.CollectSegmentsAsync(Ct);
            var all = Segments(device);
            Assert.True(all.Length >= 4, $"{all.Length} segments");

            // Both hold the first segment back, each with its live entries.
            Assert.Equal([(A, 40UL), (B, 2UL)], p.HoldingBackOldest(max: 10).OrderBy(h => h.Replica));
            Assert.Single(p.HoldingBackOldest(max: 1));
            store.Relocate(B);
            Assert.Equal([(A, 40UL)], p.HoldingBackOldest(max: 10));
            await p.CollectSegmentsAsync(Ct);
            Assert.Equal(all, Segments(device)[..all.Length]);

            // A, with a longer log, is freed by a snapshot instead.
            await store.SaveSnapshotAsync(A, 40, new ConfState([1UL, 2, 3]), new byte[8], Ct);
            Assert.Empty(p.HoldingBackOldest(max: 10));
            await p.CollectSegmentsAsync(Ct);
            Assert.Equal([p.SegmentNames.Single()], Segments(device));
        }

        // B's entries and hard state live on from their second copy alone.
        var state = await RecoverAsync(device, 4096);
        Assert.Equal(new HardState(1, 2, 5), state[B].HardState);
        Assert.Equal(3UL, state[B].Snapshot!.Index);
        Assert.Equal([4UL, 5], state[B].Entries.Select(e => e.Index));
        Assert.Equal(Entries(1, 4, 2).Select(e => e.Data.ToArray()), state[B].Entries.Select(e => e.Data.ToArray()));
        Assert.Equal(40UL, state[A].Snapshot!.Index);
    }

    [Fact]
    public async Task AReplicaWhoseSurvivingRecordsBeginWithASavedSnapshotTakesTheNextEntryAfterARestart()
    {
        // B saves a snapshot of everything it holds and then writes nothing: once the segments
        // holding its entries go, its story in the log begins with that snapshot's record.
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device, segmentSize: 4096))
        {
            await AppendDurably(p, B, new HardState(1, 2, 5), Entries(1, 1, 5, payload: 300));
            for (ulong i = 1; i <= 20; i++)
            {
                await AppendDurably(p, A, new HardState(1, 1, i - 1), Entries(1, i, 1, payload: 300));
            }

            await p.SaveSnapshotAsync(B, Snap(5, 1), Ct);
            await p.SaveSnapshotAsync(A, Snap(20, 1), Ct);
            await p.CompactAsync(A, 20, Ct);
            await p.CollectSegmentsAsync(Ct);
            Assert.Single(Segments(device));
        }

        await using (var p = await OpenAsync(device, segmentSize: 4096))
        {
            await AppendDurably(p, B, new HardState(2, 2, 5), Entries(2, 6, 1));
        }

        var state = await RecoverAsync(device, 4096);
        Assert.Equal(5UL, state[B].Snapshot!.Index);
        Assert.Equal([6UL], state[B].Entries.Select(e => e.Index));
    }

    [Fact]
    public async Task ADeletedReplicasSegmentsGoAndItStaysForgotten()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device, segmentSize: 4096))
        {
            for (ulong i = 1; i <= 30; i++)
            {
                await AppendDurably(p, C, new HardState(1, 3, 0), Entries(1, i, 1, payload: 400));
            }

            await p.SaveSnapshotAsync(C, Snap(10, 1), Ct);
            await p.CollectSegmentsAsync(Ct);
            Assert.True(Segments(device).Length >= 3);

            await p.DeleteReplicaAsync(C, Ct);
            await p.CollectSegmentsAsync(Ct);

            Assert.Equal([p.SegmentNames.Single()], Segments(device));
            Assert.DoesNotContain(device.List(), SnapshotFiles.IsSnapshot);
        }

        Assert.Empty(await RecoverAsync(device, 4096));
    }

    [Fact]
    public async Task AnIdleReplicasHardStateIsCarriedForwardThroughManySegments()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device, segmentSize: 4096))
        {
            p.Append(B, null, []); // exists, never wrote a hard state
            await AppendDurably(p, C, new HardState(7, 3, 0), []);
            for (ulong i = 1; i <= 120; i++)
            {
                await AppendDurably(p, A, new HardState(1, 1, i - 1), Entries(1, i, 1, payload: 300));
                if (i % 10 == 0)
                {
                    await p.SaveSnapshotAsync(A, Snap(i, 1), Ct);
                    await p.CompactAsync(A, i, Ct);
                    await p.CollectSegmentsAsync(Ct);
                    Assert.True(Segments(device).Length <= 2, string.Join(", ", Segments(device)));
                }
            }
        }

        var state = await RecoverAsync(device, 4096);
        Assert.Equal(HardState.Empty, state[B].HardState);
        Assert.Empty(state[B].Entries);
        Assert.Equal(new HardState(7, 3, 0), state[C].HardState);
        Assert.Equal(120UL, state[A].Snapshot!.Index);
        Assert.Single(device.List(), SnapshotFiles.IsSnapshot);
    }

    [Fact]
    public async Task ReusedSegmentsNeverResurrectStaleRecords()
    {
        var run = new ReferenceRun();
        for (ulong i = 1; i <= 150; i++)
        {
            run.Append(A, new HardState(1, 1, i - 1), Entries(1, i, 1, payload: 300 + (int)(i % 7)));
            if (i % 10 == 0)
            {
                run.Save(A, Snap(i - 2, 1)).Compact(A, i - 2);
            }
        }

        var states = await run.ReferenceStatesAsync();
        var device = new FaultyWalDevice();
        var staleTails = 0;
        await using (var p = await OpenAsync(device, segmentSize: 4096, spares: 2))
        {
            for (var i = 0; i < run.Count; i++)
            {
                Assert.Equal((i + 1, i + 1), await run.RunAsync(p, stopAfter: i + 1, from: i));

                // Collection (which turns dead segments into spares) runs in the background after
                // a roll; run it here so that reuse happens at known points, whatever the scheduling.
                await p.CollectSegmentsAsync(Ct);

                // When the head is a reused file, a dead segment's records lie past its last good
                // one: recovering right then must see exactly the acknowledged operations.
                var head = Head(device);
                Assert.True(WalSegment.TryParse(head, out var seq));
                var bytes = device.Contents(head);
                var offsets = CorruptionTests.RecordOffsets(bytes, seq);
                var end = offsets.Length == 0 ? 0 : offsets[^1] + WalFormat.RecordSize(BitConverter.ToInt32(bytes, offsets[^1] + 4));
                if (bytes.AsSpan(end).ContainsAnyExcept((byte)0))
                {
                    staleTails++;
                    AssertSameState(states[i + 1], await RecoverAsync(device.ProcessCrash(), 4096));
                }
            }
        }

        Assert.True(staleTails > 10, $"the head was a reused file after only {staleTails} operations");
        AssertSameState(states[^1], await RecoverAsync(device.PowerCut(), 4096));
    }

    [Fact]
    public async Task AnOldSegmentUnderANewNumberHoldsNoRecords()
    {
        var device = new FaultyWalDevice();
        await using (var p = await OpenAsync(device))
        {
            for (ulong i = 1; i <= 5; i++)
            {
                await AppendDurably(p, A, new HardState(1, 1, i), Entries(1, i, 1));
            }
        }

        var first = Head(device);
        var renumbered = new FaultyWalDevice();
        renumbered.Overwrite(WalSegment.NameOf(2), device.Contents(first));

        Assert.Empty(await RecoverAsync(renumbered));
        Assert.All(renumbered.Contents(WalSegment.NameOf(2)), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task SegmentsWhoseDeletionWasUndoneAreHarmless()
    {
        var device = new FaultyWalDevice();
        var copies = new Dictionary<string, byte[]>();
        await using (var p = await OpenAsync(device, segmentSize: 4096))
        {
            for (ulong i = 1; i <= 60; i++)
            {
                await AppendDurably(p, A, new HardState(1, 1, i - 1), Entries(1, i, 1, payload: 300));
                await AppendDurably(p, B, new HardState(2, 2, i - 1), Entries(2, i, 1, payload: 10));
                foreach (var name in Segments(device))
                {
                    copies[name] = device.Contents(name);
                }

                if (i % 20 == 0)
                {
                    foreach (var r in new[] { A, B })
                    {
                        await p.SaveSnapshotAsync(r, Snap(i - 1, r == A ? 1UL : 2UL), Ct);
                        await p.CompactAsync(r, i - 1, Ct);
                    }

                    await p.CollectSegmentsAsync(Ct);
                }
            }
        }

        var expected = await RecoverAsync(device.ProcessCrash(), 4096);
        var deleted = copies.Keys.Except(Segments(device)).Order().ToArray();
        Assert.True(deleted.Length >= 3);

        // All deletions lost: the old segments are a contiguous prefix of the history and replay harmlessly.
        var all = device.ProcessCrash();
        foreach (var name in deleted)
        {
            all.Overwrite(name, copies[name]);
        }

        AssertSameState([.. expected.Values], await RecoverAsync(all, 4096));

        // Only the oldest deletion lost: a gap in the numbers; it is deleted, not replayed.
        var oldest = device.ProcessCrash();
        oldest.Overwrite(deleted[0], copies[deleted[0]]);
        AssertSameState([.. expected.Values], await RecoverAsync(oldest, 4096));
        Assert.DoesNotContain(deleted[0], oldest.List());
    }
}
