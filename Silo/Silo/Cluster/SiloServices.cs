using Google.Protobuf;
using Microsoft.Extensions.Logging;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Runtime;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Hosting;
using MultiRaft.Silo.Messaging;
using MultiRaft.Silo.Requests;

namespace MultiRaft.Silo.Cluster;

/// <summary>What this silo's own grains (its inbox, the router façade) are served by.</summary>
internal sealed partial class SiloServices(SiloOptions options, SiloEngine engine, SiloCluster cluster, ILogger<SiloServices> logger)
    : ISiloServices
{
    // A snapshot the size of a few split shards at most is buffered while its pieces arrive; a
    // stream silent for a minute is given up (its leader sends the snapshot again).
    private readonly SnapshotAssembler _snapshots = new(1L << 30, TimeSpan.FromMinutes(1), TimeProvider.System);

    public string SiloId => options.SiloId;

    public void Deliver(byte[] batch)
    {
        MessageBatch decoded;
        try
        {
            decoded = MessageBatch.Parser.ParseFrom(batch);
        }
        catch (InvalidProtocolBufferException ex)
        {
            LogMalformed(logger, ex, "the batch");
            return;
        }

        engine.Heard(decoded.FromSilo, decoded.FromIncarnation);
        foreach (var m in decoded.Messages)
        {
            // One bad message is dropped, not its batch: Raft repeats what it lost.
            DeliverOne(decoded.FromSilo, m.ShardId, m.Message);
        }
    }

    public void DeliverChunk(byte[] chunk)
    {
        AssembledSnapshot? whole;
        try
        {
            whole = _snapshots.Add(SnapshotChunk.Parser.ParseFrom(chunk));
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or FormatException)
        {
            LogMalformed(logger, ex, "a snapshot piece");
            return;
        }

        if (whole is { } s)
        {
            engine.Heard(s.FromSilo, 0);
            DeliverOne(s.FromSilo, s.ShardId, s.Message);
        }
    }

    private void DeliverOne(string fromSilo, ulong shardId, RaftMessage wire)
    {
        Raft.Message message;
        try
        {
            message = RaftWire.FromWire(wire);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            LogMalformed(logger, ex, $"a message for shard {shardId}");
            return;
        }

        engine.Deliver(fromSilo, shardId, message);
    }

    public ClientResponse GetView()
    {
        var view = cluster.View;
        return view is null
            ? Responses.Status(ResponseStatus.Unavailable, $"silo {options.SiloId} has not yet received the router's state")
            : new ClientResponse { Status = ResponseStatus.Ok, Cluster = view.ToView(options.SiloId) };
    }

    public ValueTask<ClientResponse> RegisterAsync(SiloInfo silo, uint timeoutMs, bool emptyStorage) =>
        cluster.HandleJoinAsync(silo, emptyStorage, TimeSpan.FromMilliseconds(timeoutMs > 0 ? Math.Min(timeoutMs, 60_000) : options.RequestTimeoutMs),
            CancellationToken.None);

    [LoggerMessage(EventId = 5120, Level = LogLevel.Warning, Message = "Dropped {What} of Raft traffic: it is malformed")]
    private static partial void LogMalformed(ILogger logger, Exception exception, string what);
}
