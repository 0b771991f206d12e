using System.Net;
using Microsoft.Extensions.Logging;

namespace MultiRaft.Gateway;

/// <summary>Every log line of the gateway, with stable event ids (4100-4149).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(4100, LogLevel.Debug, "Client {ClientName} connected from {Remote}")]
    public static partial void ClientAccepted(ILogger logger, string clientName, EndPoint? remote);

    [LoggerMessage(4101, LogLevel.Warning, "Refused a client from {Remote}: {Reason}")]
    public static partial void HelloRefused(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(4102, LogLevel.Error, "Closing the client connection from {Remote} after a bad frame")]
    public static partial void BadFrame(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(4103, LogLevel.Debug, "Client at {Remote} disconnected")]
    public static partial void ClientDisconnected(ILogger logger, EndPoint? remote);

    [LoggerMessage(4104, LogLevel.Warning, "Client connection from {Remote} failed")]
    public static partial void ConnectionFailed(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(4105, LogLevel.Warning, "Closing the client connection from {Remote}: no hello within {Timeout}")]
    public static partial void HelloTimedOut(ILogger logger, EndPoint? remote, TimeSpan timeout);

    [LoggerMessage(4106, LogLevel.Error, "Request {RequestId} from {Remote} failed in the handler")]
    public static partial void HandlerFailed(ILogger logger, ulong requestId, EndPoint? remote, Exception exception);

    [LoggerMessage(4107, LogLevel.Error, "The response to request {RequestId} for {Remote} cannot be sent")]
    public static partial void Unsendable(ILogger logger, ulong requestId, EndPoint? remote, Exception exception);
}
