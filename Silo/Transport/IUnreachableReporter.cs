using MultiRaft.Raft;

namespace MultiRaft.Transport;

/// <summary>
/// Told about every message a <see cref="PeerSender"/> could not send, so the engine can call
/// <c>RawNode.ReportUnreachable</c> for it (Raft retransmits). Called from the sender's loop or
/// from <see cref="PeerSender.Send"/>: it must not block.
/// </summary>
public interface IUnreachableReporter
{
    /// <summary>The message for shard <paramref name="shardId"/> to silo <paramref name="toSilo"/> was not sent.</summary>
    void ReportUnreachable(string toSilo, ulong shardId, Message message);
}
