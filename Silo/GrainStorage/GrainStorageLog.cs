using Microsoft.Extensions.Logging;

namespace MultiRaft.GrainStorage;

internal static partial class GrainStorageLog
{
    [LoggerMessage(EventId = 5600, Level = LogLevel.Debug,
        Message = "Grain storage {Provider}: {Operation} of {GrainId} state {StateName} refused, ETag {ETag} but the stored version is {Stored}")]
    public static partial void Conflict(ILogger logger, string provider, string operation, string grainId, string stateName, string? eTag, string? stored);

    [LoggerMessage(EventId = 5601, Level = LogLevel.Warning,
        Message = "Grain storage {Provider}: {Operation} of {GrainId} state {StateName} has an unknown outcome; retrying it is safe")]
    public static partial void OutcomeUnknown(ILogger logger, Exception exception, string provider, string operation, string grainId, string stateName);

    [LoggerMessage(EventId = 5602, Level = LogLevel.Warning,
        Message = "Grain storage {Provider}: state {StateName} of {GrainId} is {Bytes} bytes, over the limit of {MaxBytes}; not written")]
    public static partial void TooLarge(ILogger logger, string provider, string grainId, string stateName, int bytes, int maxBytes);
}
