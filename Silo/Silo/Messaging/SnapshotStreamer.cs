using System.Collections.Concurrent;
using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Silo.Messaging;

/// <summary>
/// Sends snapshot messages larger than one piece as <see cref="SnapshotChunk"/>s, paced to
/// <c>bytesPerSecond</c> over all streams of this silo, so that a new replica's catch-up neither
/// exceeds Orleans' message size nor crowds out the Raft traffic of the shards that serve requests
/// on the same connection. One stream per destination silo and shard at a time: the leader asks
/// for the snapshot again while a follower still lags, and a second copy of the same image would
/// only slow the first. The follower is left <c>holdAfterSend</c> after the last piece to install
/// the snapshot before another stream to it may start. Streams are numbered in increasing order
/// (from the clock at start-up, so a restarted silo's numbers are higher), which lets the receiver
/// tell a late piece of an older stream from the start of a newer one.
/// </summary>
internal sealed class SnapshotStreamer(int chunkBytes, long bytesPerSecond, TimeSpan holdAfterSend, TimeProvider clock, CancellationToken stopping)
{
    private readonly ConcurrentDictionary<(string Silo, ulong Shard), byte> _streaming = new();
    private readonly Lock _pace = new();
    private DateTimeOffset _nextFree = DateTimeOffset.MinValue;
    private long _started;
    private ulong _lastStreamId = (ulong)clock.GetUtcNow().ToUnixTimeMilliseconds() << 20;

    /// <summary>Whether a snapshot message of <paramref name="bytes"/> bytes of image goes in pieces.</summary>
    public bool Streams(int bytes) => bytes > chunkBytes;

    /// <summary>Streams started since the silo started.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>
    /// Starts sending <paramref name="message"/> (a snapshot message) to <paramref name="silo"/> in
    /// the background; false if a snapshot of that shard is already on its way there (this one is
    /// dropped). <paramref name="abandoned"/> runs if the silo stops being reachable midway.
    /// </summary>
    public bool TryStart(IRaftSender sender, string silo, ulong shardId, RaftMessage message, Action abandoned)
    {
        if (!_streaming.TryAdd((silo, shardId), 0))
        {
            return false;
        }

        Interlocked.Increment(ref _started);
        _ = Task.Run(() => SendAsync(sender, silo, shardId, message, abandoned), CancellationToken.None);
        return true;
    }

    private async Task SendAsync(IRaftSender sender, string silo, ulong shardId, RaftMessage message, Action abandoned)
    {
        try
        {
            var image = message.Snapshot.Data.Memory;
            var header = message.Clone();
            header.Snapshot.Data = ByteString.Empty;
            var streamId = Interlocked.Increment(ref _lastStreamId);
            for (var offset = 0; offset < image.Length; offset += chunkBytes)
            {
                var piece = image.Slice(offset, Math.Min(chunkBytes, image.Length - offset));
                await PaceAsync(piece.Length).ConfigureAwait(false);
                if (!sender.IsReachable(silo))
                {
                    abandoned();
                    return;
                }

                sender.SendChunk(silo, new SnapshotChunk
                {
                    StreamId = streamId,
                    ShardId = shardId,
                    Header = offset == 0 ? header : null,
                    TotalBytes = (ulong)image.Length,
                    Offset = (ulong)offset,
                    Data = ByteString.CopyFrom(piece.Span),
                });
            }

            if (holdAfterSend > TimeSpan.Zero)
            {
                await Task.Delay(holdAfterSend, clock, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo stops: the follower gets its snapshot from the shard's next leader.
        }
        finally
        {
            _streaming.TryRemove((silo, shardId), out _);
        }
    }

    // Each piece takes the next free slot of the silo's snapshot bandwidth (0: unpaced).
    private Task PaceAsync(int bytes)
    {
        if (bytesPerSecond <= 0)
        {
            return Task.CompletedTask;
        }

        DateTimeOffset start;
        var now = clock.GetUtcNow();
        lock (_pace)
        {
            start = _nextFree > now ? _nextFree : now;
            _nextFree = start + TimeSpan.FromSeconds((double)bytes / bytesPerSecond);
        }

        return start > now ? Task.Delay(start - now, clock, stopping) : Task.CompletedTask;
    }
}
