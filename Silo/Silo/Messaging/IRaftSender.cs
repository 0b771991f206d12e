using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Silo.Messaging;

/// <summary>Where the engine hands each destination silo's share of a turn's messages.</summary>
internal interface IRaftSender
{
    /// <summary>Whether <paramref name="siloId"/> is an active member now (else its messages are reported unreachable at once).</summary>
    bool IsReachable(string siloId);

    /// <summary>Sends the batch; never blocks, never throws for a lost batch.</summary>
    void Send(string siloId, MessageBatch batch);

    /// <summary>Sends one piece of a large snapshot message; never blocks, never throws for a lost piece.</summary>
    void SendChunk(string siloId, SnapshotChunk chunk);

    /// <summary>Sends every other active silo an empty batch: this silo lives. Never blocks.</summary>
    void SendBeats();
}
