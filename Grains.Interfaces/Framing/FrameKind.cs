namespace MultiRaft.Grains.Interfaces.Framing;

/// <summary>What a frame's payload holds. Values are the wire contract.</summary>
public enum FrameKind : byte
{
    /// <summary>A <c>Handshake</c>: the first frame a connecting silo sends.</summary>
    Handshake = 1,

    /// <summary>A <c>HandshakeReply</c>: the listener's answer.</summary>
    HandshakeReply = 2,

    /// <summary>A <c>MessageBatch</c>: Raft messages for any number of shards.</summary>
    MessageBatch = 3,

    /// <summary>A <c>ClientHello</c>: the first frame a client sends to a gateway.</summary>
    ClientHello = 4,

    /// <summary>A <c>ClientHelloReply</c>: the gateway's answer.</summary>
    ClientHelloReply = 5,

    /// <summary>A <c>ClientRequest</c>: one client operation, tagged with a request id.</summary>
    ClientRequest = 6,

    /// <summary>A <c>ClientResponse</c>: the answer to one request, in any order.</summary>
    ClientResponse = 7,

    /// <summary>A <c>SnapshotChunk</c>: one piece of a Raft snapshot message's image (silo-to-silo).</summary>
    SnapshotChunk = 8,
}
