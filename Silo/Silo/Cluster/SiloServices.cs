using Google.Protobuf;
using Microsoft.Extensions.Logging;
using MultiRaft.Grains.Interfaces;
using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Runtime;
using MultiRaft.Silo.Engine;
using MultiRaft.Silo.Hosting;
using MultiRaft.Silo.Requests;

namespace MultiRaft.Silo.Cluster;

/// <summary>What this silo's own grains (its inbox, the router façade) are served by.</summary>
internal sealed partial class SiloServices(SiloOptions options, SiloEngine engine, SiloCluster cluster, ILogger<SiloServices> logger)
    : ISiloServices
{
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

        foreach (var m in decoded.Messages)
        {
            Raft.Message message;
            try
            {
                message = RaftWire.FromWire(m.Message);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                // One bad message is dropped, not its batch: Raft repeats what it lost.
                LogMalformed(logger, ex, $"a message for shard {m.ShardId}");
                continue;
            }

            engine.Deliver(decoded.FromSilo, m.ShardId, message);
        }
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
