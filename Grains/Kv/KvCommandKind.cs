namespace MultiRaft.Grains.Kv;

/// <summary>What a <see cref="KvCommand"/> does. The numeric values are part of the wire format.</summary>
public enum KvCommandKind : byte
{
    /// <summary>Opens a client session; its client id is the log index the command is applied at.</summary>
    OpenSession = 1,

    /// <summary>Writes a value unconditionally.</summary>
    Put = 2,

    /// <summary>Removes a key unconditionally; <see cref="KvStatus.NotFound"/> when absent.</summary>
    Delete = 3,

    /// <summary>Writes a value if the key's version equals the expected one (<c>If-Match</c>); expected 0 means "absent".</summary>
    CompareAndSet = 4,

    /// <summary>Writes a value only if the key is absent (<c>If-None-Match: *</c>).</summary>
    Create = 5,

    /// <summary>Removes a key if its version equals the expected (non-zero) one (<c>DELETE</c> with <c>If-Match</c>).</summary>
    CompareAndDelete = 6,

    /// <summary>
    /// Splits the shard: the keys from the split hash to the range's end, with a copy of the
    /// session table, become the initial state of a new shard (see <see cref="KvCommand.Split"/>).
    /// </summary>
    Split = 7,
}
