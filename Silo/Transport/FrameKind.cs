namespace MultiRaft.Transport;

/// <summary>What a frame's payload holds. Values are the wire contract.</summary>
public enum FrameKind : byte
{
    /// <summary>A <c>Handshake</c>: the first frame a connecting silo sends.</summary>
    Handshake = 1,

    /// <summary>A <c>HandshakeReply</c>: the listener's answer.</summary>
    HandshakeReply = 2,

    /// <summary>A <c>MessageBatch</c>: Raft messages for any number of shards.</summary>
    MessageBatch = 3,
}
