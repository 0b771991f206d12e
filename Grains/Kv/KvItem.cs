namespace MultiRaft.Grains.Kv;

/// <summary>One key with its value and version, as returned by reads. The memory is never mutated by the state machine.</summary>
/// <param name="Key">The key bytes.</param>
/// <param name="Value">The value bytes.</param>
/// <param name="Version">The log index of the write that produced this value.</param>
public sealed record KvItem(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, ulong Version);
