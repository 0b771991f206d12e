namespace MultiRaft.Client;

/// <summary>A key's value and version (the log index of the write that made it; unique and increasing per key).</summary>
public sealed record KvEntry(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, ulong Version);
