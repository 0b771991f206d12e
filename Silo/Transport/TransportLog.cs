using System.Net;
using Microsoft.Extensions.Logging;

namespace MultiRaft.Transport;

/// <summary>Every log line of the transport, with stable event ids (4000-4099).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(4000, LogLevel.Information, "Silo {SiloId} (cluster {ClusterId}) connected from {Remote}")]
    public static partial void PeerAccepted(ILogger logger, string siloId, string clusterId, EndPoint? remote);

    [LoggerMessage(4001, LogLevel.Warning, "Refused a connection from {Remote}: {Reason}")]
    public static partial void HandshakeRefused(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(4002, LogLevel.Error, "Closing the connection from {Remote} after a bad frame")]
    public static partial void BadFrame(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(4003, LogLevel.Information, "Silo {SiloId} at {Remote} disconnected")]
    public static partial void PeerDisconnected(ILogger logger, string siloId, EndPoint? remote);

    [LoggerMessage(4004, LogLevel.Warning, "Connection from {Remote} failed")]
    public static partial void ConnectionFailed(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(4005, LogLevel.Warning, "Closing the connection from {Remote}: no handshake within {Timeout}")]
    public static partial void HandshakeTimedOut(ILogger logger, EndPoint? remote, TimeSpan timeout);

    [LoggerMessage(4006, LogLevel.Warning, "The connection from {Remote} ended with {Count} snapshots incomplete; they are dropped")]
    public static partial void PartialSnapshotsDropped(ILogger logger, EndPoint? remote, int count);

    [LoggerMessage(4010, LogLevel.Information, "Connected to silo {SiloId} at {EndPoint}")]
    public static partial void Connected(ILogger logger, string siloId, EndPoint endPoint);

    [LoggerMessage(4011, LogLevel.Warning, "Cannot reach silo {SiloId} at {EndPoint}; next attempt in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, string siloId, EndPoint endPoint, TimeSpan delay, Exception exception);

    [LoggerMessage(4012, LogLevel.Warning, "Lost the connection to silo {SiloId}; {Count} messages reported unreachable")]
    public static partial void SendFailed(ILogger logger, string siloId, int count, Exception exception);

    [LoggerMessage(4013, LogLevel.Error, "A message for shard {ShardId} to silo {SiloId} cannot be sent and is dropped")]
    public static partial void Unsendable(ILogger logger, ulong shardId, string siloId, Exception exception);
}
