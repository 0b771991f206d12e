using Microsoft.Extensions.Logging;

namespace MultiRaft.Http;

/// <summary>Every log line of the HTTP API, with stable event ids (4200-4249).</summary>
internal static partial class HttpLog
{
    [LoggerMessage(4200, LogLevel.Debug, "{Method} {Path} refused with {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(4201, LogLevel.Warning, "{Method} {Path}: the cluster is unavailable")]
    public static partial void Unavailable(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(4202, LogLevel.Warning, "{Method} {Path}: the write's outcome is unknown")]
    public static partial void OutcomeUnknown(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(4203, LogLevel.Error, "{Method} {Path} failed")]
    public static partial void Failed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(4210, LogLevel.Information, "Leadership of shard {ShardId} moved to silo {SiloId}")]
    public static partial void LeaderTransferred(ILogger logger, ulong shardId, string siloId);
}
