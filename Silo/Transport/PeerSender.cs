using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MultiRaft.Grains.Interfaces.Framing;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Transport;

/// <summary>
/// Sends Raft messages for all shards to one destination silo over one connection. A write loop
/// takes everything queued, writes it as one <see cref="MessageBatch"/> frame and flushes once.
/// The queue is bounded: when full the oldest message is dropped. Every message not sent (dropped,
/// queued while the peer is unreachable, in a batch whose write failed) goes to the
/// <see cref="IUnreachableReporter"/>; Raft retransmits. A snapshot message travels apart from
/// the batches, its image in chunks between them (<see cref="SnapshotChunk"/>); if its connection
/// breaks before the last chunk, the snapshot message is reported unreachable. A write that
/// outlasts <see cref="TransportOptions.WriteTimeout"/> closes the connection like any failed write.
/// </summary>
public sealed class PeerSender : IAsyncDisposable
{
    // Room for a ShardMessage's tag, length and shard id beyond the Raft message's own size.
    private const int PerMessageOverhead = 16;

    private readonly EndPoint _endPoint;
    private readonly TransportOptions _options;
    private readonly IUnreachableReporter _reporter;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Outgoing> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Creates the sender and starts its write loop; it connects when the first message is queued.</summary>
    public PeerSender(string siloId, EndPoint endPoint, TransportOptions options, IUnreachableReporter reporter,
        ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        SiloId = siloId;
        _endPoint = endPoint;
        _options = options;
        _reporter = reporter;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _queue = Channel.CreateBounded<Outgoing>(
            new BoundedChannelOptions(options.SendQueueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                AllowSynchronousContinuations = false,
            },
            dropped => Report(dropped));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The destination silo.</summary>
    public string SiloId { get; }

    /// <summary>Where the destination silo listens.</summary>
    public EndPoint EndPoint => _endPoint;

    /// <summary>Queues a message for the replica <see cref="Message.To"/> of <paramref name="shardId"/> on the destination silo. Never blocks.</summary>
    public void Send(ulong shardId, Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var item = new Outgoing(shardId, message);
        if (!_queue.Writer.TryWrite(item))
        {
            Report(item);
        }
    }

    /// <summary>Stops the loop and closes the connection; whatever is still queued is reported unreachable.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        var delay = _options.ReconnectInitialDelay;
        SiloConnection? connection = null;
        var batch = new MessageBatch();
        var pending = new List<Outgoing>();
        // Snapshot messages stream one after another, a chunk between batches, so other shards'
        // messages keep flowing; a transfer lives and dies with its connection.
        var transfers = new Queue<SnapshotTransfer>();
        Outgoing? carry = null;
        try
        {
            while (carry is not null || transfers.Count > 0 || await _queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                if (connection is null || connection.Closed.IsCancellationRequested)
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = null;
                        if (transfers.Count > 0)
                        {
                            TransportLog.SendFailed(_logger, SiloId, transfers.Count, new IOException("The connection closed."));
                        }

                        ReportAll(transfers);
                    }

                    connection = await TryConnectAsync(delay, ct).ConfigureAwait(false);
                    if (connection is null)
                    {
                        if (carry is { } c)
                        {
                            Report(c);
                            carry = null;
                        }

                        // Only what was queued when the attempt failed: a message queued during
                        // the reports waits for the next attempt.
                        for (var n = _queue.Reader.Count; n > 0 && _queue.Reader.TryRead(out var lost); n--)
                        {
                            Report(lost);
                        }

                        await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
                        continue;
                    }

                    delay = _options.ReconnectInitialDelay;
                }

                carry = Fill(batch, pending, carry, transfers);
                try
                {
                    if (pending.Count > 0)
                    {
                        await connection.SendAsync(batch, ct).ConfigureAwait(false);
                    }

                    if (transfers.TryPeek(out var transfer))
                    {
                        await connection.SendAsync(FrameKind.SnapshotChunk, transfer.NextChunk(), ct).ConfigureAwait(false);
                        if (transfer.Done)
                        {
                            transfers.Dequeue();
                        }
                    }
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    TransportLog.SendFailed(_logger, SiloId, pending.Count + transfers.Count, ex);
                    pending.ForEach(Report);
                    ReportAll(transfers);
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }

                batch.Messages.Clear();
                pending.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Disposed.
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            pending.ForEach(Report);
            ReportAll(transfers);
            if (carry is { } c)
            {
                Report(c);
            }

            while (_queue.Reader.TryRead(out var lost))
            {
                Report(lost);
            }
        }
    }

    // The connection, or null (logged) when connecting or the handshake failed.
    private async Task<SiloConnection?> TryConnectAsync(TimeSpan nextDelay, CancellationToken ct)
    {
        try
        {
            var connection = await SiloConnection.ConnectAsync(_endPoint, _options, _time, ct).ConfigureAwait(false);
            TransportLog.Connected(_logger, SiloId, _endPoint);
            return connection;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            TransportLog.ConnectFailed(_logger, SiloId, _endPoint, nextDelay, ex);
            return null;
        }
    }

    // Takes queued messages into one batch up to a frame's size, and snapshot messages into
    // transfers; returns the message that did not fit.
    private Outgoing? Fill(MessageBatch batch, List<Outgoing> pending, Outgoing? carry, Queue<SnapshotTransfer> transfers)
    {
        long size = 0;
        while (true)
        {
            Outgoing item;
            if (carry is { } c)
            {
                item = c;
                carry = null;
            }
            else if (!_queue.Reader.TryRead(out item))
            {
                return null;
            }

            if (item.Message.Type == MessageType.Snapshot)
            {
                try
                {
                    transfers.Enqueue(SnapshotTransfer.Start(item.ShardId, item.Message, _options));
                }
                catch (ArgumentException ex)
                {
                    TransportLog.Unsendable(_logger, item.ShardId, SiloId, ex);
                    Report(item);
                }

                continue;
            }

            ShardMessage wire;
            try
            {
                wire = new ShardMessage { ShardId = item.ShardId, Message = RaftWire.ToWire(item.Message) };
            }
            catch (ArgumentException ex)
            {
                TransportLog.Unsendable(_logger, item.ShardId, SiloId, ex);
                Report(item);
                continue;
            }

            var itemSize = wire.CalculateSize() + PerMessageOverhead;
            if (itemSize > _options.MaxFrameSize)
            {
                TransportLog.Unsendable(_logger, item.ShardId, SiloId,
                    new FrameException($"A message of {itemSize} bytes exceeds the maximum frame of {_options.MaxFrameSize}."));
                Report(item);
                continue;
            }

            if (size + itemSize > _options.MaxFrameSize)
            {
                return item;
            }

            size += itemSize;
            batch.Messages.Add(wire);
            pending.Add(item);
        }
    }

    private void ReportAll(Queue<SnapshotTransfer> transfers)
    {
        while (transfers.TryDequeue(out var t))
        {
            _reporter.ReportUnreachable(SiloId, t.ShardId, t.Message);
        }
    }

    private void Report(Outgoing item) => _reporter.ReportUnreachable(SiloId, item.ShardId, item.Message);

    private readonly record struct Outgoing(ulong ShardId, Message Message);
}
