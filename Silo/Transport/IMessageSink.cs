using MultiRaft.Raft;

namespace MultiRaft.Transport;

/// <summary>
/// Where the listener hands every Raft message it receives (the silo engine implements it).
/// Called on the connection's read loop, in arrival order per connection: it must not block.
/// </summary>
public interface IMessageSink
{
    /// <summary>A message for the local replica <see cref="Message.To"/> of <paramref name="shardId"/>.</summary>
    void Deliver(string fromSilo, ulong shardId, Message message);
}
