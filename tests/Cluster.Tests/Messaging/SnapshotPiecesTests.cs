using System.Collections.Concurrent;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Silo.Messaging;

namespace MultiRaft.Cluster.Tests.Messaging;

/// <summary>
/// Snapshot messages cut into pieces by <see cref="SnapshotStreamer"/> and put back together by
/// <see cref="SnapshotAssembler"/>: any order, duplicates, losses, malformed pieces, bounded memory, pacing.
/// </summary>
public sealed class SnapshotPiecesTests
{
    private static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Pieces_in_any_order_and_twice_give_back_the_message_once()
    {
        var message = SnapshotMessage(size: 10_000, seed: 1);
        var pieces = await CutAsync(message, chunkBytes: 1024);
        Assert.Equal(10, pieces.Count);
        Assert.Single(pieces, p => p.Header is not null);
        Assert.All(pieces, p => Assert.Equal(10_000UL, p.TotalBytes));

        var assembler = new SnapshotAssembler(1 << 20, AbandonAfter, new ManualClock());
        var order = pieces.Concat(pieces.Take(3)).OrderBy(p => (p.Offset * 7919) % 10_007).ToList();
        var wholes = order.Select(assembler.Add).Where(w => w is not null).Select(w => w!.Value).ToList();

        var whole = Assert.Single(wholes);
        Assert.Equal(7UL, whole.ShardId);
        Assert.Equal("s1", whole.FromSilo);
        Assert.Equal(message, whole.Message);
        Assert.Equal(0, assembler.Streams);
        Assert.Equal(0, assembler.BufferedBytes);
    }

    [Fact]
    public async Task A_stream_missing_a_piece_is_never_delivered_and_is_dropped_once_idle()
    {
        var pieces = await CutAsync(SnapshotMessage(size: 4096, seed: 2), chunkBytes: 1024);
        var clock = new ManualClock();
        var assembler = new SnapshotAssembler(1 << 20, AbandonAfter, clock);
        foreach (var p in pieces.Where(p => p.Offset != 2048))
        {
            Assert.Null(assembler.Add(p));
        }

        Assert.Equal(1, assembler.Streams);
        Assert.Equal(4096, assembler.BufferedBytes);

        // The next piece of any stream, a minute later, finds the silent one given up.
        clock.Now += AbandonAfter + TimeSpan.FromSeconds(1);
        var other = await CutAsync(SnapshotMessage(size: 100, seed: 3), chunkBytes: 1024, shardId: 8, streamId: 2);
        Assert.NotNull(assembler.Add(other.Single()));
        Assert.Equal(0, assembler.Streams);
        Assert.Null(assembler.Add(pieces.Single(p => p.Offset == 2048)));
        Assert.Equal(1, assembler.Streams); // the late piece starts a stream of its own, which never completes
    }

    [Fact]
    public async Task A_newer_stream_for_the_same_shard_from_the_same_silo_replaces_the_older()
    {
        var older = await CutAsync(SnapshotMessage(size: 3000, seed: 4), chunkBytes: 1024, streamId: 1);
        var newer = SnapshotMessage(size: 3000, seed: 5);
        var newerPieces = await CutAsync(newer, chunkBytes: 1024, streamId: 2);
        var assembler = new SnapshotAssembler(1 << 20, AbandonAfter, new ManualClock());

        Assert.Null(assembler.Add(older[0]));
        Assert.Null(assembler.Add(older[1]));
        Assert.Null(assembler.Add(newerPieces[0]));
        Assert.Equal(1, assembler.Streams);
        Assert.Null(assembler.Add(older[2])); // the older stream's tail, late: ignored, the newer one kept
        Assert.Equal(1, assembler.Streams);
        Assert.Null(assembler.Add(newerPieces[1]));
        Assert.Equal(newer, assembler.Add(newerPieces[2])!.Value.Message);
        Assert.Equal(0, assembler.Streams);

        // Neither a late piece of the delivered stream nor of the older one starts a stream that could never end.
        Assert.Null(assembler.Add(newerPieces[0]));
        Assert.Null(assembler.Add(older[0]));
        Assert.Equal(0, assembler.Streams);
    }

    [Fact]
    public async Task A_stream_numbered_lower_is_heard_again_once_the_newer_one_went_quiet()
    {
        // A silo restarted with its clock stepped back numbers its streams lower than before.
        var clock = new ManualClock();
        var assembler = new SnapshotAssembler(1 << 20, AbandonAfter, clock);
        var before = await CutAsync(SnapshotMessage(size: 100, seed: 14), chunkBytes: 1024, streamId: 50);
        var after = SnapshotMessage(size: 100, seed: 15);
        var afterPieces = await CutAsync(after, chunkBytes: 1024, streamId: 3);
        Assert.NotNull(assembler.Add(before.Single()));
        Assert.Null(assembler.Add(afterPieces.Single()));
        clock.Now += AbandonAfter + TimeSpan.FromSeconds(1);
        Assert.Equal(after, assembler.Add(afterPieces.Single())!.Value.Message);
    }

    [Fact]
    public async Task Memory_is_bounded_by_dropping_the_least_recently_fed_stream()
    {
        var clock = new ManualClock();
        var assembler = new SnapshotAssembler(8192, AbandonAfter, clock);
        var a = await CutAsync(SnapshotMessage(size: 4096, seed: 6), chunkBytes: 1024, shardId: 1, streamId: 1);
        var b = await CutAsync(SnapshotMessage(size: 4096, seed: 7), chunkBytes: 1024, shardId: 2, streamId: 2);
        var c = SnapshotMessage(size: 4096, seed: 8);
        var cPieces = await CutAsync(c, chunkBytes: 1024, shardId: 3, streamId: 3);

        Assert.Null(assembler.Add(a[0]));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Null(assembler.Add(b[0]));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Null(assembler.Add(cPieces[0]));
        Assert.Equal(2, assembler.Streams);
        Assert.Equal(8192, assembler.BufferedBytes);

        // a was dropped: its other pieces start a new stream, which in turn pushes out b.
        foreach (var p in a.Skip(1))
        {
            Assert.Null(assembler.Add(p));
        }

        Assert.Equal(c, cPieces.Skip(1).Select(assembler.Add).ToList()[^1]!.Value.Message);
    }

    [Theory]
    [InlineData("", 100UL, 0UL, 10, "names no sending silo")]
    [InlineData("s1", 0UL, 0UL, 10, "outside 1..")]
    [InlineData("s1", 100UL, 95UL, 10, "does not fit")]
    [InlineData("s1", 100UL, 100UL, 1, "does not fit")]
    [InlineData("s1", 100UL, 10UL, 0, "does not fit")]
    [InlineData("s1", 100UL, 0UL, 10, "no snapshot message header")]
    [InlineData("s1", 1UL << 40, 0UL, 10, "outside 1..")]
    public void A_malformed_piece_is_refused_with_the_reason(string from, ulong total, ulong offset, int length, string reason)
    {
        var assembler = new SnapshotAssembler(1 << 20, AbandonAfter, new ManualClock());
        var piece = new SnapshotChunk
        {
            FromSilo = from, StreamId = 1, ShardId = 1, TotalBytes = total, Offset = offset, Data = ByteString.CopyFrom(new byte[length]),
        };
        var ex = Assert.Throws<FormatException>(() => assembler.Add(piece));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, assembler.Streams);
    }

    [Fact]
    public async Task Pieces_that_contradict_their_stream_drop_it()
    {
        var pieces = await CutAsync(SnapshotMessage(size: 3000, seed: 9), chunkBytes: 1024);
        var assembler = new SnapshotAssembler(1 << 20, AbandonAfter, new ManualClock());
        Assert.Null(assembler.Add(pieces[0]));
        var liar = pieces[1].Clone();
        liar.TotalBytes = 5000;
        var ex = Assert.Throws<FormatException>(() => assembler.Add(liar));
        Assert.Contains("earlier pieces", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, assembler.Streams);

        // The sender's pieces never overlap: one that does (here a hole would be left at 2024..2048) drops its stream.
        var overlapping = pieces[1].Clone();
        overlapping.Offset = 1000;
        Assert.Null(assembler.Add(pieces[2]));
        Assert.Null(assembler.Add(pieces[0]));
        ex = Assert.Throws<FormatException>(() => assembler.Add(overlapping));
        Assert.Contains("overlaps", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, assembler.Streams);
    }

    [Fact]
    public async Task One_stream_per_silo_and_shard_at_a_time_and_a_silo_that_goes_away_abandons_it()
    {
        var sender = new RecordingSender(pieces: 3) { ReachableFor = 2 };
        using var stop = new CancellationTokenSource();
        var streamer = new SnapshotStreamer(chunkBytes: 1024, bytesPerSecond: 0, TimeSpan.Zero, new ManualClock(), stop.Token);
        var abandoned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.BeforeFirst = gate.Task;

        Assert.True(streamer.TryStart(sender, "s2", 7, SnapshotMessage(size: 5000, seed: 10), abandoned.SetResult));
        Assert.False(streamer.TryStart(sender, "s2", 7, SnapshotMessage(size: 5000, seed: 11), () => { }));
        Assert.True(streamer.TryStart(sender, "s3", 7, SnapshotMessage(size: 500, seed: 12), () => { }));
        gate.SetResult();

        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await sender.Done.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(2, sender.Sent.Count(p => p.Silo == "s2")); // two pieces went before s2 became unreachable
        Assert.Equal(1, sender.Sent.Count(p => p.Silo == "s3"));
        Assert.Equal(2, streamer.Started);
    }

    [Fact]
    public async Task Pieces_are_paced_to_the_silos_snapshot_bandwidth()
    {
        var clock = new ManualClock();
        var sender = new RecordingSender(pieces: 4);
        using var stop = new CancellationTokenSource();
        var streamer = new SnapshotStreamer(chunkBytes: 1024, bytesPerSecond: 4096, TimeSpan.Zero, clock, stop.Token);

        Assert.True(streamer.TryStart(sender, "s2", 7, SnapshotMessage(size: 4096, seed: 13), () => { }));
        await sender.Done.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // The first piece goes at once; each next one waits its quarter second of bandwidth.
        Assert.Equal([TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250)], clock.Delays);
    }

    private static RaftMessage SnapshotMessage(int size, int seed)
    {
        var image = new byte[size];
        new Random(seed).NextBytes(image);
        return new RaftMessage
        {
            Type = RaftMessageType.Snapshot,
            To = 2,
            From = 1,
            Term = 3,
            Snapshot = new RaftSnapshot
            {
                Metadata = new RaftSnapshotMetadata { Index = 40, Term = 3, ConfState = new RaftConfState { Voters = { 1, 2, 3 } } },
                Data = ByteString.CopyFrom(image),
            },
        };
    }

    // The pieces the streamer sends for one message, in the order it sends them.
    private static async Task<List<SnapshotChunk>> CutAsync(RaftMessage message, int chunkBytes, ulong shardId = 7, ulong streamId = 1)
    {
        var pieces = (message.Snapshot.Data.Length + chunkBytes - 1) / chunkBytes;
        var sender = new RecordingSender(pieces);
        using var stop = new CancellationTokenSource();
        var streamer = new SnapshotStreamer(chunkBytes, 0, TimeSpan.Zero, new ManualClock(), stop.Token);
        Assert.True(streamer.TryStart(sender, "s2", shardId, message, () => { }));
        await sender.Done.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        return sender.Sent.Select(s =>
        {
            s.Chunk.FromSilo = "s1";
            s.Chunk.StreamId = streamId;
            return s.Chunk;
        }).ToList();
    }

    private sealed class RecordingSender(int pieces) : IRaftSender
    {
        private int _reachable;

        public ConcurrentQueue<(string Silo, SnapshotChunk Chunk)> Sent { get; } = new();

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int ReachableFor { get; init; } = int.MaxValue;

        public Task BeforeFirst { get; set; } = Task.CompletedTask;

        public bool IsReachable(string siloId)
        {
            BeforeFirst.Wait();
            return siloId != "s2" || Interlocked.Increment(ref _reachable) <= ReachableFor;
        }

        public void Send(string siloId, MessageBatch batch) => throw new InvalidOperationException("snapshot pieces only");

        public void SendBeats() => throw new InvalidOperationException("snapshot pieces only");

        public void SendChunk(string siloId, SnapshotChunk chunk)
        {
            Sent.Enqueue((siloId, chunk));
            if (Sent.Count(s => s.Silo == "s2") == pieces || siloId == "s3")
            {
                Done.TrySetResult();
            }
        }
    }

    /// <summary>A clock that moves only when told, or when a delay on it is due (it records each delay and lets it pass at once).</summary>
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

        public List<TimeSpan> Delays { get; } = [];

        public override DateTimeOffset GetUtcNow() => Now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (Delays)
            {
                Delays.Add(dueTime);
                Now += dueTime;
            }

            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
