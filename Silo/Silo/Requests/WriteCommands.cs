using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Kv;

namespace MultiRaft.Silo.Requests;

/// <summary>The state-machine command a write (kind and condition) stands for, wherever it came from.</summary>
internal static class WriteCommands
{
    /// <exception cref="ArgumentException">An unsupported kind and condition, an empty key or an invalid session pair.</exception>
    /// <exception cref="KvLimitExceededException">Key or value over <paramref name="limits"/>.</exception>
    public static KvCommand Of(WriteKind kind, WriteCondition condition, ulong expectedVersion, ulong sessionId, ulong sequence,
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, KvLimits limits) => (kind, condition) switch
    {
        (WriteKind.Put, WriteCondition.None) => KvCommand.Put(sessionId, sequence, key, value, limits),
        (WriteKind.Put, WriteCondition.IfVersion) => KvCommand.CompareAndSet(sessionId, sequence, key, value, expectedVersion, limits),
        (WriteKind.Put, WriteCondition.IfAbsent) => KvCommand.Create(sessionId, sequence, key, value, limits),
        (WriteKind.Delete, WriteCondition.None) => KvCommand.Delete(sessionId, sequence, key, limits),
        (WriteKind.Delete, WriteCondition.IfVersion) => KvCommand.CompareAndDelete(sessionId, sequence, key, expectedVersion, limits),
        _ => throw new ArgumentException($"{kind} with condition {condition} is not supported"),
    };
}
