using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Raft;

namespace MultiRaft.Grains.Interfaces;

// The wire numbers of message kinds are fixed by raft.proto, independent of the C# enum's order.
public static partial class RaftWire
{
    /// <summary>The wire kind of a message kind.</summary>
    /// <exception cref="ArgumentException">The kind is local and never crosses the network.</exception>
    public static RaftMessageType ToWire(MessageType type) => type switch
    {
        MessageType.Propose => RaftMessageType.Propose,
        MessageType.Append => RaftMessageType.Append,
        MessageType.AppendResponse => RaftMessageType.AppendResponse,
        MessageType.Vote => RaftMessageType.Vote,
        MessageType.VoteResponse => RaftMessageType.VoteResponse,
        MessageType.PreVote => RaftMessageType.PreVote,
        MessageType.PreVoteResponse => RaftMessageType.PreVoteResponse,
        MessageType.Snapshot => RaftMessageType.Snapshot,
        MessageType.Heartbeat => RaftMessageType.Heartbeat,
        MessageType.HeartbeatResponse => RaftMessageType.HeartbeatResponse,
        MessageType.TransferLeader => RaftMessageType.TransferLeader,
        MessageType.TimeoutNow => RaftMessageType.TimeoutNow,
        MessageType.ReadIndex => RaftMessageType.ReadIndex,
        MessageType.ReadIndexResponse => RaftMessageType.ReadIndexResponse,
        _ => throw new ArgumentException($"Message type {type} is local or unknown and never crosses the network.", nameof(type)),
    };

    /// <summary>The message kind of a wire kind.</summary>
    /// <exception cref="FormatException">The wire kind is unspecified or unknown.</exception>
    public static MessageType FromWire(RaftMessageType type) => type switch
    {
        RaftMessageType.Propose => MessageType.Propose,
        RaftMessageType.Append => MessageType.Append,
        RaftMessageType.AppendResponse => MessageType.AppendResponse,
        RaftMessageType.Vote => MessageType.Vote,
        RaftMessageType.VoteResponse => MessageType.VoteResponse,
        RaftMessageType.PreVote => MessageType.PreVote,
        RaftMessageType.PreVoteResponse => MessageType.PreVoteResponse,
        RaftMessageType.Snapshot => MessageType.Snapshot,
        RaftMessageType.Heartbeat => MessageType.Heartbeat,
        RaftMessageType.HeartbeatResponse => MessageType.HeartbeatResponse,
        RaftMessageType.TransferLeader => MessageType.TransferLeader,
        RaftMessageType.TimeoutNow => MessageType.TimeoutNow,
        RaftMessageType.ReadIndex => MessageType.ReadIndex,
        RaftMessageType.ReadIndexResponse => MessageType.ReadIndexResponse,
        _ => throw new FormatException($"Unknown Raft message type {(int)type} on the wire."),
    };
}
